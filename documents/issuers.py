"""The units that issue and sign documents: bureaus, township offices and institutions."""

from dataclasses import asdict, dataclass

from institutions.models import Department, Institution, Township


@dataclass(frozen=True)
class Issuer:
    type: str  # "department" | "township" | "institution"
    code: str
    name: str  # the full official name, as on the seal
    doc_prefix: str  # the abbreviation that opens the unit's document numbers

    def as_json(self) -> dict:
        return asdict(self)

    @property
    def key(self) -> str:
        return f"{self.type}:{self.code}"


def issuer_for(unit) -> Issuer:
    if isinstance(unit, Department):
        return Issuer("department", unit.code, unit.name, unit.doc_prefix)
    if isinstance(unit, Township):
        # The township office's own name and 代字, from the county's townships.csv or the admin.
        return Issuer("township", unit.code, unit.official_name, unit.doc_prefix)
    if isinstance(unit, Institution):
        return Issuer("institution", unit.code, unit.name, unit.name[:4])
    raise TypeError(f"not an issuing unit: {unit!r}")


def issuer_from_json(data: dict) -> Issuer:
    return Issuer(**data)
