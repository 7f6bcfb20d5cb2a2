"""The command line (`netdash topology`, the action subcommands, `netdash probe`, `netdash demo-cloud`).

It needs no Textual: the program's entry point, `netdash.__main__`, hands it the dashboard to run.
"""
