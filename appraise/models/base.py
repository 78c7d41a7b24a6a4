from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Strict(BaseModel):
    """Base for every stored model: unknown keys are an error, never silently dropped."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, populate_by_name=True)
