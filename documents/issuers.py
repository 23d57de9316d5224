"""The units that issue and sign documents: bureaus, township offices and institutions."""

from dataclasses import asdict, dataclass

from institutions.models import Department, Institution, Township

COUNTY = "磐安县"


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


def township_official_name(township: Township) -> str:
    office = "办事处" if township.kind == Township.Kind.SUBDISTRICT else "人民政府"
    return f"{COUNTY}{township.name}{office}"


def issuer_for(unit) -> Issuer:
    if isinstance(unit, Department):
        return Issuer("department", unit.code, unit.name, unit.doc_prefix)
    if isinstance(unit, Township):
        short = unit.name.removesuffix("街道").removesuffix("镇").removesuffix("乡")
        return Issuer("township", unit.code, township_official_name(unit), f"磐{short}")
    if isinstance(unit, Institution):
        return Issuer("institution", unit.code, unit.name, unit.name[:4])
    raise TypeError(f"not an issuing unit: {unit!r}")


def issuer_from_json(data: dict) -> Issuer:
    return Issuer(**data)
