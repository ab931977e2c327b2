# A stand-in function for the python runtime's tests: its "FDK" is the
# osahello wheel the tests write into .pip_cache/.
def handler(ctx, data=None):
    return "hello"
