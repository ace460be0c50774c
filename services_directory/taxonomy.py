"""Our four taxonomies, built from signpost/needs.yml and signpost/jhws.yml.

- needs: one term per need id (term = the need id, e.g. "loneliness");
- jhws: the Joint Health and Wellbeing Strategy: priority areas ("area-1"),
  their action-table rows ("1.6") and headline priority measures ("P1.suicide");
- circumstances: who a service is only for beyond age and place (signpost/circumstances.yml:
  pregnant or a new parent, a carer, an employer...);
- audience: "resident", "practitioner" and "commissioner" (planning and commissioning
  items: in the directory for completeness, never offered as a referral route).

A service links to terms through ORUK `attributes`. Ids are stable (uuid5).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy.orm import Session

from services_directory.ids import stable_id
from signpost import circumstances as circumstances_module
from signpost import needs as needs_module

NEEDS = "needs"
JHWS = "jhws"
AUDIENCE = "audience"
CIRCUMSTANCES = "circumstances"
AUDIENCES = ("resident", "practitioner", "commissioner")
VERSION = "1"


@dataclass(frozen=True)
class TermDef:
    term: str
    name: str
    description: str
    parent_term: str | None = None

    def id(self, taxonomy: str) -> str:
        return term_id(taxonomy, self.term)


@dataclass(frozen=True)
class TaxonomyDef:
    slug: str
    name: str
    description: str
    terms: tuple[TermDef, ...]

    @property
    def id(self) -> str:
        return taxonomy_id(self.slug)


def taxonomy_id(slug: str) -> str:
    return stable_id("taxonomy", slug)


def term_id(taxonomy: str, term: str) -> str:
    return stable_id("taxonomy_term", taxonomy, term)


@lru_cache(maxsize=1)
def taxonomies() -> dict[str, TaxonomyDef]:
    need_terms = tuple(
        TermDef(n.id, n.label, n.description) for n in needs_module.needs().values()
    )
    jhws_terms: list[TermDef] = [
        TermDef(f"area-{num}", f"Priority area {num}: {title}", title)
        for num, title in needs_module.priority_areas().items()
    ]
    jhws_terms += [
        TermDef(m.id, m.title, f"Measure: {m.measure}" if m.title != m.measure else m.measure,
                parent_term=f"area-{m.area}")
        for m in needs_module.measures().values()
    ]
    audience_terms = (
        TermDef("resident", "Residents", "Members of the public: people who live in Essex, "
                "their families and carers."),
        TermDef("practitioner", "Practitioners", "Professionals who refer or signpost: GPs, "
                "social prescribing link workers, social care, schools, employers."),
        TermDef("commissioner", "Commissioners and planners", "Strategies, planning guidance "
                "and commissioning programmes: not something a person can be referred to."),
    )
    return {
        NEEDS: TaxonomyDef(NEEDS, "Essex signposting needs",
                           "The needs the Essex wellbeing signposting assistant recognises; "
                           "`term` is the need id.", need_terms),
        JHWS: TaxonomyDef(JHWS, "Essex Joint Health and Wellbeing Strategy",
                          "Priority areas, action-plan rows (e.g. 1.6) and priority measures "
                          "(e.g. P1.suicide) of the Essex JHWS that a service contributes to.",
                          tuple(jhws_terms)),
        AUDIENCE: TaxonomyDef(AUDIENCE, "Essex signposting audience",
                              "Who a service record is written for.", audience_terms),
        CIRCUMSTANCES: TaxonomyDef(
            CIRCUMSTANCES, "Essex signposting circumstances",
            "Who a service is only for, beyond age and place; `term` is the id.",
            tuple(TermDef(c.id, c.label, c.label)
                  for c in circumstances_module.circumstances().values())),
    }


jhws_action_ids = needs_module.jhws_action_ids
priority_measure_ids = needs_module.priority_measure_ids


@lru_cache(maxsize=1)
def term_index() -> dict[str, tuple[str, TermDef]]:
    """term id -> (taxonomy slug, term)."""
    return {t.id(slug): (slug, t) for slug, tax in taxonomies().items() for t in tax.terms}


def find_taxonomy(taxonomy_id_or_name: str | None) -> str | None:
    """Our taxonomy slug for an ORUK taxonomy id, name or slug; None if not ours."""
    if not taxonomy_id_or_name:
        return None
    key = taxonomy_id_or_name.strip().casefold()
    for slug, tax in taxonomies().items():
        if key in (tax.id, tax.name.casefold(), slug):
            return slug
    return None


def sync_taxonomies(session: Session) -> int:
    """Create or update our taxonomies and terms in the database; returns rows changed.

    Runs inside the caller's transaction (seed and import call it first).
    """
    from services_directory.models import Taxonomy, TaxonomyTerm

    changed = 0
    for slug, tdef in taxonomies().items():
        tax = session.get(Taxonomy, tdef.id)
        if tax is None:
            tax = Taxonomy(id=tdef.id)
            session.add(tax)
        changed += _assign(tax, slug=slug, name=tdef.name, description=tdef.description,
                           version=VERSION)
        session.flush()  # parents before children (self-referencing terms)
        for position, t in enumerate(tdef.terms):
            term = session.get(TaxonomyTerm, t.id(slug))
            if term is None:
                term = TaxonomyTerm(id=t.id(slug))
                session.add(term)
            changed += _assign(
                term, taxonomy_id=tdef.id, term=t.term, name=t.name, description=t.description,
                parent_id=term_id(slug, t.parent_term) if t.parent_term else None,
                position=position,
            )
        session.flush()
    return changed


def _assign(obj: object, **values: object) -> int:
    """Set attributes that differ; 1 if anything changed (new objects count as changed)."""
    dirty = 0
    for key, value in values.items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)
            dirty = 1
    return dirty
