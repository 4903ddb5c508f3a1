import os
import sys
import tempfile

# Keep the kernel cache of the test run out of the user's home and out of the source tree.
os.environ.setdefault("QGSYM_CACHE_DIR", os.path.join(tempfile.gettempdir(), "qgsym-test-cache"))
sys.path.insert(0, os.path.dirname(__file__))
