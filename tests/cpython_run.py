"""Run an .aspy file under CPython exactly as aspy runs it.

Used only by tests/gen_expected.py (never at test time). It teaches CPython's
import system that `.aspy` files are Python sources, so that a case's
`import helper` finds `helper.aspy` next to it, then runs the file as
`__main__` with `sys.argv` set as aspy sets it.
"""
import importlib.machinery
import os
import runpy
import sys

importlib.machinery.SOURCE_SUFFIXES.append(".aspy")
sys.path_hooks.clear()
sys.path_hooks.append(
    importlib.machinery.FileFinder.path_hook(
        (importlib.machinery.ExtensionFileLoader, importlib.machinery.EXTENSION_SUFFIXES),
        (importlib.machinery.SourceFileLoader, importlib.machinery.SOURCE_SUFFIXES),
        (importlib.machinery.SourcelessFileLoader, importlib.machinery.BYTECODE_SUFFIXES),
    )
)
sys.path_importer_cache.clear()
path = sys.argv[1]
sys.argv = sys.argv[1:]
sys.path[0] = os.path.dirname(os.path.abspath(path))
sys.dont_write_bytecode = True
runpy.run_path(path, run_name="__main__")
