"""The demo county: its accounts and sample cases, for trying the product out — never run on a real installation.

It stands on top of everything (it drives the services with input checked by the forms),
beside the two doors, so no lower app has to know that demo data exists.
"""
