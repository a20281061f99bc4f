"""A simulator of WeChat Pay's consumer-complaint API (APIv3), run as its own process.

See sandbox/README.md. Nothing here imports Django: the sandbox is reached only over HTTP.
"""
