"""The observatory's DCAT-AP_IT catalogue, as served (Turtle and RDF/XML), parses as RDF with rdflib and
carries every class and mandatory property of the profile.

The mandatory list is the profile's, as AgID documents it:
- "Guida pratica a DCAT-AP_IT" (AgID, dati.gov.it; github.com/giorgialodi/Guida-pratica-DCAT-AP_IT,
  README: "Elementi obbligatori che descrivono un Soggetto/Organizzazione": dct:identifier, foaf:name;
  "Elementi obbligatori che descrivono un Catalogo": dct:title, dct:description, dct:publisher,
  dct:modified, dcat:dataset), and
- "Linee guida per i cataloghi dati" (AgID, docs.italia.it/italia/daf/linee-guida-cataloghi-dati-dcat-ap-it,
  profile DCAT-AP_IT 1.x, ontology http://dati.gov.it/onto/dcatapit): Dataset — dct:identifier,
  dct:title, dct:description, dct:modified, dcat:theme, dct:rightsHolder, dct:accrualPeriodicity,
  dcat:contactPoint (mandatory), dct:publisher, dcat:distribution (recommended, given here);
  Distribution — dcat:accessURL, dct:format, dct:license (mandatory); contact point (vcard) —
  vcard:fn, vcard:hasEmail; licence document — dct:type, foaf:name.
"""

from __future__ import annotations

import pytest
from rdflib import Graph, Namespace
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF

from tests.conftest import LiveServer

DCATAPIT = Namespace("http://dati.gov.it/onto/dcatapit#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")

REQUIRED: dict[str, tuple[tuple[object, ...], tuple[object, ...]]] = {
    # class: (its rdf:types, its mandatory properties)
    "catalogue": (
        (DCAT.Catalog, DCATAPIT.Catalog),
        (DCTERMS.title, DCTERMS.description, DCTERMS.publisher, DCTERMS.modified, DCAT.dataset),
    ),
    "dataset": (
        (DCAT.Dataset, DCATAPIT.Dataset),
        (
            DCTERMS.identifier,
            DCTERMS.title,
            DCTERMS.description,
            DCTERMS.modified,
            DCAT.theme,
            DCTERMS.rightsHolder,
            DCTERMS.accrualPeriodicity,
            DCAT.contactPoint,
            DCTERMS.publisher,
            DCAT.distribution,
        ),
    ),
    "distribution": (
        (DCAT.Distribution, DCATAPIT.Distribution),
        (DCAT.accessURL, DCTERMS.format, DCTERMS.license),
    ),
    "agent": ((FOAF.Agent, DCATAPIT.Agent), (DCTERMS.identifier, FOAF.name)),
    "contact point": ((VCARD.Organization, DCATAPIT.Organization), (VCARD.fn, VCARD.hasEmail)),
    "licence": ((DCTERMS.LicenseDocument, DCATAPIT.LicenseDocument), (DCTERMS.type, FOAF.name)),
}


@pytest.mark.parametrize(("path", "rdf_format"), [("catalogo.ttl", "turtle"), ("catalogo.rdf", "xml")])
def test_the_catalogue_is_dcat_ap_it(live_server: LiveServer, path: str, rdf_format: str) -> None:
    answer = live_server.client().get(f"/osservatorio/dati/{path}")
    assert answer.status_code == 200
    graph = Graph().parse(data=answer.text, format=rdf_format)
    missing: list[str] = []
    for name, (types, properties) in REQUIRED.items():
        nodes = set(graph.subjects(RDF.type, types[0]))
        if not nodes:
            missing.append(f"no {name} ({types[0]})")
        for node in nodes:
            for extra_type in types[1:]:
                if (node, RDF.type, extra_type) not in graph:
                    missing.append(f"{name} {node} is not a {extra_type}")
            for prop in properties:
                if graph.value(node, prop) is None:  # type: ignore[arg-type]
                    missing.append(f"{name} {node} has no {prop}")
    assert not missing, "\n".join(missing)
    datasets = set(graph.subjects(RDF.type, DCAT.Dataset))
    assert len(datasets) == 2, "the publications and the aggregates"
    licences = {str(o) for o in graph.objects(None, DCTERMS.license)}
    assert licences == {"https://creativecommons.org/licenses/by/4.0/"}, "CC BY 4.0 by default"
    urls = {str(o) for o in graph.objects(None, DCAT.accessURL)}
    for url in urls:
        relative = url.split("://", 1)[1].split("/", 1)[1]
        assert live_server.client().get("/" + relative).status_code == 200, url
    titles = {o.language for o in graph.objects(None, DCTERMS.title)}  # type: ignore[union-attr]
    assert {"it", "en"} <= titles
