"""newsqa's front ends: the `newsqa` command line and the Gradio chat page.

Kept import-light: gradio and torch load only when a command needs them.
"""
