"""Python modules generated from forms/*.ui by packaging/build_forms.py. Do not edit."""
