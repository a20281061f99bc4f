"""Demo and test support, kept out of the apps it serves: the `demo_setup` command, the sandbox
starter it uses, key generation for demo merchants and tests, and hypothesis strategies for the
NormalMessage schema. It sits above every app; no app imports it (checked by lint-imports)."""
