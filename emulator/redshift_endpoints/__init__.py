"""Redshift-managed VPC endpoints for moto, added from outside moto.

moto 5.2.5 serves Redshift clusters and subnet groups but not the seven
operations behind cross-account Redshift-managed VPC endpoints. This package
adds them to moto's own ``RedshiftResponse`` class at start-up (``install()``),
so moto's dispatcher, query-protocol parser and model-driven XML serializer
handle them like any built-in action. No file of moto is edited. (The
cluster's ``AvailabilityZoneRelocationStatus`` and ``MultiAZ``, which moto
5.2.5 also leaves out, are patched apart, in ``moto_gaps/redshift_cluster.py``.)

The package is split the way moto splits a service: ``exceptions.py`` (the
model's faults), ``models.py`` (state, lookups, rules and the seven
operations; accounts and timing are described there) and ``responses.py``
(the ``RedshiftResponse`` actions). Every rule applied is in
``emulator/rules.py`` with its source, or says it is assumed.

Every shape and error follows botocore's model of the service,
``botocore/data/redshift/2012-12-01/service-2.json`` (shipped compressed as
``service-2.json.gz``; botocore 1.44.8 pinned in ``emulator/requirements.txt``).
An error is raised with the model's error *code*; moto's serializer then looks
the code up in that model and answers with its ``httpStatusCode``.

"""

from __future__ import annotations

from moto.redshift.responses import RedshiftResponse

from .models import FAILED_STATUS, REVOKE_IN_USE, SERVICE_LINKED_ROLE, ensure_service_linked_role, has_service_linked_role, EndpointAccess, EndpointAuthorization, Quotas, _Settings, fail_endpoints, find_endpoint, set_quotas, set_revoke_in_use
from .responses import _ACTIONS

__all__ = [
    "FAILED_STATUS",
    "REVOKE_IN_USE",
    "SERVICE_LINKED_ROLE",
    "ensure_service_linked_role",
    "has_service_linked_role",
    "EndpointAccess",
    "EndpointAuthorization",
    "Quotas",
    "fail_endpoints",
    "find_endpoint",
    "install",
    "set_quotas",
    "set_revoke_in_use",
]


def install(endpoint_delay_seconds: float = 1.0, quotas: Quotas | None = None) -> None:
    """Adds the operations to moto's RedshiftResponse.

    moto dispatches a query action to the RedshiftResponse method named after
    it in snake_case, so registering the methods on the class is all the
    routing needed. Idempotent.
    """
    _Settings.endpoint_delay_seconds = endpoint_delay_seconds
    _Settings.quotas = quotas or Quotas()
    for name, action in _ACTIONS.items():
        setattr(RedshiftResponse, name, action)
