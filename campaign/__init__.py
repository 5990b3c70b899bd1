"""The campaign definition: everything the product knows about one 网剑行动, loaded from a TOML file.

The file is data (see data/campaigns/*.toml); this package only reads and validates it, so that a broken
definition fails at start-up with a message that names the offending key. It imports nothing of the project
but `settings`. Modules: `model` (the frozen dataclasses), `reader` (typed TOML values, CampaignError),
`sections/` (one reader per group of TOML sections), `load` (load_campaign), `calendar` (working days).
"""

from campaign.load import load_campaign
from campaign.model import (
    Agency,
    Area,
    CalendarOverride,
    Campaign,
    ClassificationRule,
    Deliverable,
    ExportParsing,
    FocusArea,
    Measure,
    Platform,
    Source,
    Stage,
    StatsParsing,
    TimeNode,
    Unit,
    UploadKind,
    ViolationType,
)
from campaign.reader import CampaignError

__all__ = [
    "Agency",
    "Area",
    "CalendarOverride",
    "Campaign",
    "CampaignError",
    "ClassificationRule",
    "Deliverable",
    "ExportParsing",
    "FocusArea",
    "Measure",
    "Platform",
    "Source",
    "Stage",
    "StatsParsing",
    "TimeNode",
    "Unit",
    "UploadKind",
    "ViolationType",
    "load_campaign",
]
