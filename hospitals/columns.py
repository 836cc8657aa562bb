"""The interchange format's columns of regions and hospitals (spec section 2):
what the bundle export, the importer and the hospital list's CSV download
read and write (aidtracker/lib/columns.py)."""

from aidtracker.lib.columns import Column, Columns

REGIONS = Columns(
    Column("code", "code"),
    Column("name", "name"),
    Column("name_zh", "name_zh"),
    Column("level", "level"),
    Column("parent_code", "parent_id"),
)

HOSPITALS = Columns(
    Column("code", "code"),
    Column("name", "name"),
    Column("name_zh", "name_zh"),
    Column("region_code", "region_id"),
    Column("grade", "grade"),
    Column("kind", "kind"),
)
