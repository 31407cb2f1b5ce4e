"""dbt's `exceptions` namespace for sqlfluff's jinja templater (see .sqlfluff, library_path).

dbt provides it at compile time; linting only needs the call to render, so it renders nothing."""


def raise_compiler_error(message: str) -> str:
    return ""
