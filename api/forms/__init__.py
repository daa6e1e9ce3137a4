"""Web forms built from the same pydantic models as the JSON API: the fields, their kinds and
limits come from the model, what is posted is validated by the model, and its errors are shown
in the reader's language next to the field they are about."""
