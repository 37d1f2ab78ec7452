"""Lexicons, gazetteer logic, validators and document extraction for the content-integrity and privacy checks."""
