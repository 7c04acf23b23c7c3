"""Reading descriptive questions (qa.clues) and naming entities in an article (index.entities): pure functions, no model."""

from __future__ import annotations

from datetime import date

import pytest

from index.entities import Entity, clean_name, name_entities, salient_names, shortens
from qa.clues import DescriptiveQuestion, read_descriptive
from qa.kinds import ORGANISATION, PERSON, PRODUCT, TEAM
from qa.outlets import read_named_sources

pytestmark = pytest.mark.unit

OUTLETS = ["TechCrunch", "The Verge", "Fortune", "The Age", "The Roar | Sports Writers Blog", "Cnbc | World Business News Leader"]


def descriptive(question: str, outlets: list[str]) -> DescriptiveQuestion | None:
    """The question read as a descriptive one, as the pipeline reads it: what it names as its sources first."""
    return read_descriptive(question, read_named_sources(question, outlets))


def test_a_descriptive_question_gives_its_kind_outlets_and_clues():
    question = (
        "Which company, according to articles from TechCrunch and The Verge, not only learns from the missteps of its "
        "competitors but also enforces uniform terms on developers through its store, while justifying its choice of a "
        "default search engine?"
    )
    read = descriptive(question, OUTLETS)
    assert read is not None
    assert read.kind is ORGANISATION
    assert read.outlets == ["TechCrunch", "The Verge"]
    assert read.clues == [
        "learns from the missteps of its competitors",
        "enforces uniform terms on developers through its store",
        "justifying its choice of a default search engine",
    ]
    assert "TechCrunch" not in read.named.about
    assert "according" not in " ".join(read.clues)


@pytest.mark.parametrize(
    ("question", "outlets"),
    [
        (
            "Which team, featured in articles from 'The Roar | Sports Writers Blog', lost twice and kicked for the corner?",
            ["The Roar | Sports Writers Blog"],
        ),
        (
            "Which company, reported by both CNBC and TechCrunch, cut 600 jobs and saw its revenue fall?",
            ["Cnbc | World Business News Leader", "TechCrunch"],
        ),
        ("Which institution, as reported by The Age, raised its rate and may halt the trend this year?", ["The Age"]),
    ],
)
def test_outlets_are_found_as_the_question_names_them(question, outlets):
    read = descriptive(question, OUTLETS)
    assert read is not None
    assert sorted(read.outlets) == sorted(outlets)


def test_a_common_word_in_lower_case_names_no_outlet():
    read = descriptive(
        "Which player, known for his age and his fortune, scored twice and also won the final, as reported by The Verge?", OUTLETS
    )
    assert read is not None
    assert read.outlets == ["The Verge"]


def test_an_outlet_that_is_not_indexed_is_no_clue_and_no_error():
    read = descriptive("Which official, as reported by Reuters, regretted the concessions and also spoke about negotiations?", OUTLETS)
    assert read is not None
    assert read.outlets == []
    assert read.clues == ["regretted the concessions", "spoke about negotiations"]


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Who is the individual facing a criminal trial on fraud charges, as reported by The Verge, and accused of fraud?", PERSON),
        ("Which NFL team, featured in both CBSSports.com and TechCrunch articles, changed its offense and won again?", TEAM),
        ("What is the name of the service, covered by TechCrunch, that is free for users and brings blue bubbles to Android?", PRODUCT),
    ],
)
def test_the_kind_asked_for_is_read(question, kind):
    read = descriptive(question, OUTLETS)
    assert read is not None
    assert read.kind is kind


@pytest.mark.parametrize(
    "question",
    [
        "Who won the marathon?",
        "Who was the Normans' main enemy in Italy?",
        "What tactic did companies employ to offset the former deficit of work, and also why did they do it?",
        "Considering the articles from TechCrunch and The Verge, which single letter starts the name of the company's CEO?",
    ],
)
def test_one_fact_questions_and_letter_questions_are_not_descriptive(question):
    assert descriptive(question, OUTLETS) is None


ONE_STORY = "Which 49-year-old former Cup Series driver attended the Commonwealth Clash and interviewed Kyle Larson and Brad Sweet?"


@pytest.mark.parametrize(
    ("cited", "descriptive_read"),
    [
        ("", False),  # cites no report: about one story, whose sentences answer it (`qa.story_subject`)
        (", according to its organisers", False),  # "according to" someone the question does not name
        (", according to Reuters", True),
        (", as reported by TechCrunch", True),
        (", as reported by the Wall Street Journal", True),  # an outlet that is not indexed
    ],
)
def test_a_description_is_read_across_articles_only_when_it_cites_reports(cited, descriptive_read):
    assert (descriptive(ONE_STORY.replace("?", f"{cited}?"), OUTLETS) is not None) is descriptive_read


@pytest.mark.parametrize(
    "question",
    [
        "What group of people is suing the social media company and also approves every app download their teens make?",
        "Which two companies launched the AI Alliance with fifty partners and also support open science in their research?",
    ],
)
def test_a_class_or_a_pair_described_at_length_is_descriptive_without_a_report(question):
    assert descriptive(question, OUTLETS) is not None


@pytest.mark.parametrize(
    ("question", "period"),
    [
        (
            "Which company, in a TechCrunch article published in November 2023, cut jobs and raised prices?",
            (date(2023, 11, 1), date(2023, 11, 30)),
        ),
        ("Which company, as reported by The Verge on October 5, 2023, cut jobs and raised prices?", (date(2023, 10, 5), date(2023, 10, 5))),
        ("Which chatbot, reported by TechCrunch, saw a rise in usage during December 2022 and composes music?", None),
    ],
)
def test_a_publication_date_is_read_as_a_period(question, period):
    read = descriptive(question, OUTLETS)
    assert read is not None
    assert read.published == period


@pytest.mark.parametrize(
    ("short", "full", "expected"),
    [
        ("Bankman-Fried", "Sam Bankman-Fried", True),
        ("SBF", "Sam Bankman-Fried", True),
        ("Fed", "Federal Reserve", True),
        ("RA", "Rugby Australia", True),
        ("Man United", "Manchester United", True),
        ("Alameda", "Alameda Research", True),
        ("Israel", "Israel Money Laundering and Terror Financing Prohibition Authority", False),
        ("Sam Bankman-Fried", "Sam Bankman-Fried", False),
        ("Ukraine", "Sam Bankman-Fried", False),
    ],
)
def test_short_forms(short, full, expected):
    assert shortens(short, full) is expected


def test_a_later_short_form_gets_the_name_used_first():
    text = "Sam Bankman-Fried founded FTX. The Federal Reserve held rates. Bankman-Fried said the Fed's move hurt FTX."
    found = [(text.index(t), t, label) for t, label in (("Sam Bankman-Fried", "PERSON"), ("FTX", "ORG"), ("Federal Reserve", "ORG"))]
    later = [
        (text.index("Bankman-Fried said"), "Bankman-Fried", "ORG"),
        (text.index("Fed's"), "Fed's", "ORG"),
        (text.rindex("FTX"), "FTX", "ORG"),
    ]
    entities = [Entity(start, start + len(t), label) for start, t, label in sorted(found + later)]
    named = name_entities(text, entities)
    assert [(text[e.start : e.end], e.name) for e in named] == [
        ("Sam Bankman-Fried", "Sam Bankman-Fried"),
        ("FTX", "FTX"),
        ("Federal Reserve", "Federal Reserve"),
        ("Bankman-Fried", "Sam Bankman-Fried"),
        ("Fed's", "Federal Reserve"),
        ("FTX", "FTX"),
    ]
    salient = salient_names(text, named)
    assert [(n.name, n.mentions) for n in salient[:2]] == [("Sam Bankman-Fried", 2), ("FTX", 2)]
    # the label comes from the full form: the short form's ORG tag does not make him an organisation
    assert salient[0].labels == {"PERSON": 1}


def test_a_short_form_before_the_full_one_is_not_renamed():
    text = "Apple sells phones. Apple Music streams songs. Apple said so."
    entities = [Entity(0, 5, "ORG"), Entity(20, 31, "ORG"), Entity(text.rindex("Apple"), text.rindex("Apple") + 5, "ORG")]
    assert [e.name for e in name_entities(text, entities)] == ["Apple", "Apple Music", "Apple"]


def test_clean_name():
    assert clean_name("the Fed’s") == "Fed"
    assert clean_name(" The  All Blacks ") == "All Blacks"


def _weights(*texts: str):
    from index.lexical import TermWeights, terms

    return TermWeights([terms(t) for t in texts])


def test_names_nothing_indexed_holds_are_unknown():
    from qa.names import unknown_names

    chunks = ["Sam Bankman-Fried faced a jury in New York.", "Hervé served Byzantium as a general.", "Hartmanis and Stearns wrote it."]
    weights = _weights(*chunks)
    assert unknown_names("Who represented Graham Tulloch in court?", weights, chunks) == ["Graham", "Graham Tulloch", "Tulloch"]
    # a name of two known words that no chunk holds together
    assert unknown_names("What did Sam Hervé say?", weights, chunks) == ["Sam Hervé"]
    # accents, acronyms, the first word and typos of a retrieved word are not unknown names
    assert unknown_names("When did Herve serve?", weights, chunks) == []
    assert unknown_names("What share of GDP did Bankman-Fried owe?", weights, chunks) == []
    assert unknown_names("Tulloch? When did Hatmanis and Stearns write it?", weights, chunks) == []


def test_listed_names_a_word_hyphened_to_a_name_and_a_title_before_it_are_read_as_the_articles_write_them():
    from qa.names import unknown_names

    chunks = [
        "Charlie Puth sang on the track. John Legend lent his voice too.",
        "Melissa Lucashenko won the Miles Franklin award in 2019.",
        "The Argentina goalkeeper kept a clean sheet.",
        "Emiliano Martinez has not conceded for 609 minutes.",  # the story's title word is in another of its passages
    ]
    weights = _weights(*chunks)
    assert unknown_names("Which song used the voices of Charlie Puth and John Legend?", weights, chunks) == []
    assert unknown_names("Which Miles Franklin-winning novelist wrote it?", weights, chunks) == []
    assert unknown_names("Goalkeeper Emiliano Martinez set which record?", weights, chunks) == []
    # still unknown: two listed names one of which no sentence holds, and a title no retrieved chunk holds
    assert unknown_names("Did Charlie Puth and John Travolta sing on the new track?", weights, chunks) == ["John Travolta", "Travolta"]
    assert unknown_names("Striker Emiliano Martinez set which record?", weights, chunks) == ["Striker Emiliano Martinez"]


def test_a_place_or_a_person_is_not_the_short_form_of_another_kind_of_name():
    text = "Israel Adesanya won. Israel launched strikes. Samsung Electronics grew. Sam Altman spoke. Sam said so."
    spans = [("Israel Adesanya", "PERSON"), ("Israel", "GPE"), ("Samsung Electronics", "ORG"), ("Sam Altman", "PERSON"), ("Sam", "PERSON")]
    entities, at = [], 0
    for surface, label in spans:
        at = text.index(surface, at)
        entities.append(Entity(at, at + len(surface), label))
        at += len(surface)
    assert [e.name for e in name_entities(text, entities)] == [
        "Israel Adesanya",
        "Israel",
        "Samsung Electronics",
        "Sam Altman",
        "Sam Altman",
    ]


def test_names_do_not_depend_on_the_hash_seed():
    import subprocess
    import sys

    script = (
        "from index.entities import Entity, name_entities\n"
        "t = 'John Smith met Jane Smith. Smith left.'\n"
        "e = [Entity(0, 10, 'PERSON'), Entity(15, 25, 'PERSON'), Entity(27, 32, 'PERSON')]\n"
        "print(name_entities(t, e)[2].name)\n"
    )
    seen = {
        subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env={"PYTHONHASHSEED": seed}, check=True).stdout
        for seed in ("1", "2", "3")
    }
    assert seen == {"John Smith\n"}


def test_title_case_and_capitals_are_not_names():
    from qa.names import unknown_names

    chunks = ["Pistorius told reporters he regretted what he called concessions made by the United States."]
    weights = _weights(*chunks)
    assert unknown_names("What Did Pistorius Regret About The Concessions?", weights, chunks) == []
    assert unknown_names("WHAT DID PISTORIUS REGRET ABOUT THE CONCESSIONS?", weights, chunks) == []


@pytest.mark.parametrize(
    ("question", "kind", "count", "kind_phrase"),
    [
        ("Which group of people, according to The Guardian, is suing Snap and also approves teens' app downloads?", "class", 1, "people"),
        (
            "What kind of businesses, as reported by The Verge, offer price-matching policies and match a lower price?",
            "class",
            1,
            "businesses",
        ),
        (
            "Which two companies, according to TechCrunch, launched the AI Alliance and support open science?",
            "organisation",
            2,
            "companies",
        ),
        (
            "Who are the pop star and her second husband whose relationship The Verge covered, and who divorced in 2007?",
            "person",
            2,
            "pop star",
        ),
        ("Which company, according to TechCrunch, launched the AI Alliance and supports open science?", "organisation", 1, "company"),
    ],
)
def test_a_group_a_type_or_a_pair_is_read(question, kind, count, kind_phrase):
    read = descriptive(question, OUTLETS)
    assert read is not None
    assert read.kind.name == kind
    assert read.count == count
    assert read.kind_phrase == kind_phrase


def test_outlets_named_as_sources_that_are_not_indexed_are_read():
    from qa.outlets import read_named_sources

    named = read_named_sources(
        "Considering an article from The Wall Street Journal and a TechCrunch report, and a Reuters story published in October "
        "2023, which company cut jobs, according to its chief executive?",
        OUTLETS,
    )
    assert named.outlets == ["TechCrunch"]
    assert named.unindexed == ["The Wall Street Journal", "Reuters"]
    assert read_named_sources("Which player, according to Michael Lewis, was at the game?", OUTLETS).unindexed == []


@pytest.mark.parametrize("outlet", ["Which", "Which company", "Which?", "How To Geek"])
def test_an_outlet_named_like_a_question_word_is_only_matched_where_it_stands_as_an_outlet(outlet):
    outlets = [*OUTLETS, outlet]
    question = (
        "Which company, according to articles from TechCrunch and The Verge, enforces uniform terms on developers through its "
        "store and also justifies its choice of a default search engine?"
    )
    read = descriptive(question, outlets)
    assert read is not None
    assert read.kind is ORGANISATION
    assert read.outlets == ["TechCrunch", "The Verge"]
    for asked in ("Which company raised 80 million dollars?", "How much did Nimbus Robotics raise?", "Which reported the loss first?"):
        assert read_named_sources(asked, outlets).about == asked  # a question word is no outlet
    for named in (f"according to {outlet}", f"as reported by {outlet}", f"in the {outlet} article"):
        read = descriptive(f"Which company, {named}, cut 600 jobs and saw its revenue fall this year?", outlets)
        assert read is not None and read.outlets == [outlet], named


def test_an_indefinite_description_stands_for_a_name_only_when_it_repeats_the_questions():
    from qa.question import analyze_question
    from qa.story_subject import descriptions, read_asked

    today = date(2023, 12, 19)
    question = analyze_question("Which Utah mother of six, who gave parenting advice on YouTube, pleaded guilty on Monday?", today=today)
    asked = read_asked(question.text, question.expected)
    assert asked is not None
    [found] = descriptions("A Utah mother of six who gave parenting advice pleaded guilty Monday.", asked)
    assert (found.start, found.opens, found.repeats) == (0, True, True)
    assert descriptions("A judge in Utah heard the plea on Monday.", asked) == []  # says nothing of what is asked
    company = analyze_question("Which company will start rolling out the MK30 drone?", today=today)
    assert [
        d.repeats for d in descriptions("The retailer said the MK30 will fly next year.", read_asked(company.text, company.expected))
    ] == [False]
