"""The application shell: the `netdash` command line, cloud selection, and (soon) the Textual App."""
