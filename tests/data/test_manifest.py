import hashlib

import pandas as pd

from readmit.data import manifest


def test_data_version_is_a_content_digest():
    a = pd.DataFrame({"x": [1, 2], "y": ["a", "b"]})
    h = pd.DataFrame({"z": [1.5]})
    version = manifest.data_version(a, h)
    assert version.startswith("sha256:") and len(version) == len("sha256:") + 64
    assert manifest.data_version(a.copy(), h.copy()) == version
    assert manifest.data_version(a.assign(y=["a", "c"]), h) != version
    assert manifest.data_version(a, h.assign(z=[1.6])) != version


def test_file_sha256(tmp_path):
    path = tmp_path / "f"
    path.write_bytes(b"hello")
    assert manifest.file_sha256(path) == hashlib.sha256(b"hello").hexdigest()
