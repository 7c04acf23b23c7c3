"""Writes pairs.jsonl: invented wire stories and their syndicated copies, and different stories on one topic.

Kept beside the data so the pairs can be read and edited as prose; run it again after editing.
"""

import json
from pathlib import Path

MARATHON = (
    "Kenyan runner Grace Wanjiru won the Harbin marathon on Sunday in two hours, twenty-one minutes and eight seconds, "
    "breaking the course record by almost a minute. She pulled away from Ethiopia's Tigist Bekele at the thirty-kilometre "
    "mark and finished alone in light rain. Bekele was second, forty seconds behind, and China's Li Na third. "
    "Organisers said more than thirty thousand runners took part, a record for the race. Wanjiru, 27, said she had trained "
    "at altitude in Iten for three months and would now rest before the autumn season. "
    '"The last ten kilometres were the hardest of my life," she told reporters at the finish.'
)
MARATHON_COPY = (
    "HARBIN, China (AP) - "
    "Kenyan runner Grace Wanjiru won the Harbin marathon on Sunday in two hours, twenty-one minutes and eight seconds, "
    "breaking the course record by almost a minute. She pulled away from Ethiopia's Tigist Bekele after 30 kilometres "
    "and crossed the line alone in light rain. Bekele was second, forty seconds behind, and China's Li Na third. "
    "Organisers said more than thirty thousand runners took part, a record for the race. Wanjiru, 27, said she had trained "
    "at altitude in Iten for three months and would now rest before the autumn season. "
    '"The last ten kilometres were the hardest of my life," she told reporters at the finish. '
    "More AP sports: https://apnews.com/sports"
)
MARATHON_OTHER = (
    "Ethiopia's Tigist Bekele won the Harbin marathon on Sunday, a year after finishing second, in two hours, twenty-three "
    "minutes. Kenya's Grace Wanjiru, the defending champion, dropped out at twenty-five kilometres with a calf injury. "
    "Bekele said the cool weather suited her and that she had changed coaches in the winter. The men's race went to "
    "Japan's Kenji Sato in a sprint finish. Organisers said the number of runners fell slightly because of a clash with "
    "the Beijing half marathon."
)
BUDGET = (
    "Thornbury council approved a budget of 412 million pounds for next year on Wednesday, including a 4.9 percent rise in "
    "council tax, the largest allowed without a local vote. Council leader Priya Shah said the rise would protect adult "
    "social care and keep all eleven libraries open. Opposition councillors voted against, saying residents could not "
    "afford another increase after two years of high inflation. The budget also sets aside 18 million pounds to repair "
    "roads damaged by the winter floods. Bills will rise by about 92 pounds a year for a typical household."
)
BUDGET_COPY = (
    "By Tom Hale, Local Democracy Reporter. "
    "Thornbury council approved a budget of 412 million pounds for next year on Wednesday, including a 4.9 percent rise in "
    "council tax, the largest allowed without a local vote. Council leader Priya Shah said the rise would protect adult "
    "social care and keep every library in the borough open. Opposition councillors voted against, saying residents could not "
    "afford another increase after two years of high inflation. The budget also sets aside 18 million pounds to repair "
    "roads damaged by the winter floods. A typical household will pay about 92 pounds more each year. "
    "Sign up for our free daily newsletter to get the latest local news."
)
BUDGET_OTHER = (
    "Brantwood council approved a budget of 388 million pounds on Thursday and froze council tax for a second year, "
    "using reserves to close a gap of 9 million pounds. Council leader Owen Reilly said residents had been squeezed enough. "
    "Auditors warned last month that the council's reserves could run out within three years if spending was not cut. "
    "Two leisure centres will close in April, and bin collections will move to every three weeks. Unions said "
    "about 140 jobs were at risk."
)
STORM = (
    "Storm Imogen brought winds of up to 110 miles per hour to the south-west coast overnight, cutting power to more than "
    "sixty thousand homes and closing the Severn bridges. The Met Office issued a red warning for Cornwall and Devon until "
    "noon on Monday. A man in his fifties died when a tree fell on his car near Truro, police said. Rail services between "
    "Exeter and Penzance were suspended after debris blocked the line at Dawlish. Energy companies said most homes should "
    "be reconnected by Tuesday evening, but some rural areas could wait longer."
)
STORM_COPY = (
    "Storm Imogen batters south-west with 110mph gusts. "
    "Storm Imogen brought winds of up to 110 miles per hour to the south-west coast overnight, cutting power to more than "
    "sixty thousand homes and closing the Severn bridges. The Met Office issued a red warning for Cornwall and Devon until "
    "noon on Monday. A man in his fifties died when a tree fell on his car near Truro, Devon and Cornwall Police said. "
    "Rail services between Exeter and Penzance were suspended after debris blocked the line at Dawlish. Energy companies "
    "said most homes should be reconnected by Tuesday evening, though customers in remote villages may wait until Thursday. "
    "Are you affected? Share your pictures and stories with us."
)
STORM_OTHER = (
    "Storm Imogen's floodwater was still rising in the Somerset Levels on Wednesday, three days after the storm passed, "
    "and the Environment Agency said pumping would take weeks. About two hundred homes in Moorland and Burrowbridge were "
    "evacuated. Farmers said thousands of acres of grazing land were under water and feed was running short. The "
    "government promised 20 million pounds of flood relief, but residents said the rivers should have been dredged years ago."
)
FERRY = (
    "The Inchcaple ferry will stop running in October after the operator Clyde Island Lines lost its subsidy, leaving the "
    "island's four hundred residents with one weekly supply boat. The transport ministry said the route carried too few "
    "passengers to justify 2.4 million pounds a year. Islanders said the decision would force the school and the doctor's "
    "surgery to close. Local MP Fiona Grant called it a betrayal and said she would raise it in parliament next week. "
    "The company said its twenty crew members would be offered jobs on other routes."
)
FERRY_COPY = (
    "Island loses its ferry. "
    "The Inchcaple ferry will stop running in October after the operator Clyde Island Lines lost its subsidy, leaving the "
    "island's four hundred residents with a single weekly supply boat. The transport ministry said the route carried too few "
    "passengers to justify 2.4 million pounds a year. Islanders said the decision would force the school and the doctor's "
    "surgery to close. Local MP Fiona Grant called it a betrayal and said she would raise it in parliament next week. "
    "The company said its twenty crew members would be offered jobs on other routes. (Reporting by Ewan Mackay; editing by Sarah Lee)"
)
FERRY_OTHER = (
    "A new electric ferry entered service between Inchcaple and the mainland on Monday, cutting the crossing time to "
    "twenty-five minutes. The boat, built in Norway for 11 million pounds, can carry forty cars and charges at each end "
    "of the route in ten minutes. Clyde Island Lines said fuel costs on the route would fall by two thirds. Islanders "
    "welcomed the ferry but complained that the timetable still had no sailing after eight in the evening."
)
PRIZE = (
    "The Halloway Prize for fiction was awarded on Tuesday to Maren Oduya for her novel The Salt Year, about a fishing "
    "family on the Norwegian coast during the 1970s oil boom. The judges called it a patient, luminous book. Oduya, "
    "who was born in Lagos and lives in Bergen, receives 50,000 pounds. It is her third novel and the first to be "
    "translated into English. The shortlist also included books by Tom Avery and Li Wen. Sales of The Salt Year rose "
    "tenfold after the shortlist was announced in September, her publisher said."
)
PRIZE_COPY = (
    "By Culture Desk. "
    "The Halloway Prize for fiction was awarded on Tuesday to Maren Oduya for her novel The Salt Year, about a fishing "
    "family on the Norwegian coast during the 1970s oil boom. The judges called it a patient, luminous book. Oduya, "
    "who was born in Lagos and now lives in Bergen, receives 50,000 pounds. It is her third novel and the first to be "
    "translated into English. The shortlist also included books by Tom Avery and Li Wen. Her publisher said sales of "
    "The Salt Year had risen tenfold since the shortlist came out in September. "
    "This article was amended on Wednesday to correct the spelling of Li Wen's name."
)
PRIZE_OTHER = (
    "Tom Avery won the Halloway Prize for fiction on Tuesday for Lowland, a novel about a Dutch engineer rebuilding "
    "dykes after the 1953 flood. The chair of judges said it was the most ambitious book on a strong shortlist that "
    "also included Maren Oduya and Li Wen. Avery, a former civil servant, wrote the book in the evenings over nine years. "
    "He said he would give part of the 50,000 pound prize to a flood charity in Zeeland."
)

PAIRS = [
    ("marathon-copy", True, "Wanjiru breaks Harbin record", "Reuters", MARATHON, "Kenya's Wanjiru wins in Harbin", "AP", MARATHON_COPY),
    ("budget-copy", True, "Council tax up 4.9%", "Thornbury Echo", BUDGET, "Thornbury passes budget", "BBC Local", BUDGET_COPY),
    ("storm-copy", True, "Imogen cuts power", "PA", STORM, "Storm Imogen batters south-west", "The Western Post", STORM_COPY),
    ("ferry-copy", True, "Inchcaple ferry to end", "Reuters", FERRY, "Island loses its ferry", "Herald", FERRY_COPY),
    ("prize-copy", True, "Oduya wins Halloway", "PA", PRIZE, "The Salt Year takes prize", "Guardian", PRIZE_COPY),
    ("marathon-other", False, "Wanjiru breaks Harbin record", "Reuters", MARATHON, "Bekele wins Harbin", "Reuters", MARATHON_OTHER),
    ("budget-other", False, "Council tax up 4.9%", "Thornbury Echo", BUDGET, "Brantwood freezes tax", "Echo", BUDGET_OTHER),
    ("storm-other", False, "Imogen cuts power", "PA", STORM, "Levels still flooded", "PA", STORM_OTHER),
    ("ferry-other", False, "Inchcaple ferry to end", "Reuters", FERRY, "Electric ferry for Inchcaple", "Herald", FERRY_OTHER),
    ("prize-other", False, "Oduya wins Halloway", "PA", PRIZE, "Avery wins Halloway", "PA", PRIZE_OTHER),
    ("budget-vs-other-budget", False, "Brantwood freezes tax", "Echo", BUDGET_OTHER, "Thornbury passes budget", "BBC Local", BUDGET_COPY),
]

with (Path(__file__).parent / "pairs.jsonl").open("w", encoding="utf-8") as out:
    for pair_id, copy, title_a, source_a, text_a, title_b, source_b, text_b in PAIRS:
        row = {
            "id": pair_id,
            "copy": copy,
            "a": {"title": title_a, "source": source_a, "text": text_a},
            "b": {"title": title_b, "source": source_b, "text": text_b},
        }
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
