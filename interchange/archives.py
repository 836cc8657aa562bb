"""Members of a .zip bundle or of an .xlsx workbook's archive: whether each
can be read at all, and within the import's limits (interchange/limits.py).

zipfile never unpacks more of a member than the size its directory
declares (it checks the CRC at the end), so these checks, made before a
byte is unpacked, bound what reading can cost.
"""

import stat
import zipfile

from django.utils.translation import gettext as _

from .limits import RATIO_MIN_BYTES

# Compression methods zipfile unpacks (bzip2 and LZMA when Python has them).
_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED}
for _method, _module in ((zipfile.ZIP_BZIP2, "bz2"), (zipfile.ZIP_LZMA, "lzma")):
    try:
        __import__(_module)
    except ImportError:
        continue
    _METHODS.add(_method)


def member_problem(info):
    """Why the member `info` cannot be read as a file, or None."""
    if stat.S_ISLNK(info.external_attr >> 16):
        return _("a symbolic link, not a file: zip the file itself")
    if info.flag_bits & 0x1:
        return _("encrypted (protected by a password): zip the file without a password")
    if info.compress_type not in _METHODS:
        return _(
            "packed with a compression method this importer cannot unpack (method %(method)d): "
            "zip it with the usual method (deflate)"
        ) % {"method": info.compress_type}
    return None


def ratio_problem(info, limits):
    """Why the member `info` unpacks to too much for its packed size (a
    "zip bomb"), or None. Members under 1 MB unpacked are not held to it."""
    if info.file_size > RATIO_MIN_BYTES and info.file_size > limits.compression_ratio * max(info.compress_size, 1):
        return _(
            "unpacks to %(size)s MB from %(packed)s KB, %(ratio)s times its packed size; an import "
            "unpacks at most %(limit)s times (IMPORT_MAX_COMPRESSION_RATIO)"
        ) % {
            "size": f"{info.file_size / (1 << 20):,.0f}",
            "packed": f"{max(info.compress_size, 1) / 1024:,.0f}",
            "ratio": f"{info.file_size // max(info.compress_size, 1):,}",
            "limit": f"{limits.compression_ratio:,}",
        }
    return None
