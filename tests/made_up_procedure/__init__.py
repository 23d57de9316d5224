"""A made-up procedure, installed only for the tests: proof that a new procedure needs no change to shared code.

It registers itself like the real ones do — a flow with two review steps (the township,
then 卫健局) and one document — plus a pages module and an API module, and the tests
find it in lists, case pages, queues, timelines, the API and the generated isolation test.
"""
