"""Loading an example script as a module, for the example tests."""
import importlib.util


def load_example(path, name):
    """The example script at ``path``, run as a fresh module called ``name``."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
