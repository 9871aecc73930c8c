"""The errors of the Redshift-managed VPC endpoint operations (moto's ``exceptions.py`` role).

Each fault class is the model shape of the same name in botocore's
``redshift/2012-12-01/service-2.json``; moto's serializer looks its ``code`` up
in that model and answers with the shape's ``httpStatusCode``. Where the model
or the AWS documentation names no error for a rule, the code chosen is one the
model lists for that operation, and the choice is written in ``CHOSEN_CODES``
(and in ``emulator/README.md``).
"""

from __future__ import annotations

from moto.core.exceptions import ServiceException


# --------------------------------------------------------------------------
# Chosen error codes
# --------------------------------------------------------------------------


#: Where AWS documents no error code for a rule: the code used, and why.
CHOSEN_CODES: dict[str, str] = {
    "CreateEndpointAccess on a cluster that is not RA3": (
        "UnsupportedOperation (400): endpoints are an RA3-only feature, a property of the "
        "cluster's configuration rather than a passing state, and the model lists "
        "UnsupportedOperationFault for CreateEndpointAccess."
    ),
    "CreateEndpointAccess on a cluster with relocation off": (
        "UnsupportedOperation (400): same reasoning; turning relocation on is a configuration "
        "change (ModifyCluster --availability-zone-relocation), not a wait."
    ),
    "AuthorizeEndpointAccess on a cluster that is not RA3": (
        "UnsupportedOperation (400), listed for AuthorizeEndpointAccess. Relocation is not "
        "checked on authorization, only on endpoint creation."
    ),
    "AuthorizeEndpointAccess for the cluster owner's own account": (
        "UnsupportedOperation (400): the owner needs no authorization."
    ),
    "CreateEndpointAccess from an account without an authorization covering its VPC": (
        "AccessToClusterDenied (400), listed for CreateEndpointAccess, whose model text is "
        "'You are not authorized to access the cluster.'"
    ),
    "AuthorizeEndpointAccess repeating an authorization that adds no VPC": (
        "EndpointAuthorizationAlreadyExists (400). An authorization that names new VPCs adds "
        "them to the existing authorization, as the service does."
    ),
    "RevokeEndpointAccess without Force while the grantee has endpoints": (
        "InvalidAuthorizationState (400), listed for RevokeEndpointAccess: the authorization is "
        "in use. With Force the endpoints are deleted and the authorization goes Revoking."
    ),
    "Any call on an authorization that is Revoking": "InvalidAuthorizationState (400).",
    "DeleteEndpointAccess or ModifyEndpointAccess on an endpoint that is not active": (
        "InvalidEndpointState (400), listed for both."
    ),
    "An endpoint name breaking the naming rule, or a security group outside the VPC": (
        "InvalidParameterValue (400), the query protocol's common error; the model lists "
        "no Redshift-specific code for either."
    ),
}


# --------------------------------------------------------------------------
# Faults (model shapes)
# --------------------------------------------------------------------------


class EndpointAlreadyExistsFault(ServiceException):
    """Model shape ``EndpointAlreadyExistsFault``: code ``EndpointAlreadyExists``, HTTP 400."""

    code = "EndpointAlreadyExists"


class EndpointNotFoundFault(ServiceException):
    """Model shape ``EndpointNotFoundFault``: code ``EndpointNotFound``, HTTP 404."""

    code = "EndpointNotFound"


class EndpointAuthorizationAlreadyExistsFault(ServiceException):
    """Model shape ``EndpointAuthorizationAlreadyExistsFault``: code ``EndpointAuthorizationAlreadyExists``, HTTP 400."""

    code = "EndpointAuthorizationAlreadyExists"


class EndpointAuthorizationNotFoundFault(ServiceException):
    """Model shape ``EndpointAuthorizationNotFoundFault``: code ``EndpointAuthorizationNotFound``, HTTP 404."""

    code = "EndpointAuthorizationNotFound"


class AccessToClusterDeniedFault(ServiceException):
    """Model shape ``AccessToClusterDeniedFault``: code ``AccessToClusterDenied``, HTTP 400."""

    code = "AccessToClusterDenied"


class EndpointsPerClusterLimitExceededFault(ServiceException):
    """Model shape of the same name: code ``EndpointsPerClusterLimitExceeded``, HTTP 400."""

    code = "EndpointsPerClusterLimitExceeded"


class EndpointsPerAuthorizationLimitExceededFault(ServiceException):
    """Model shape of the same name: code ``EndpointsPerAuthorizationLimitExceeded``, HTTP 400."""

    code = "EndpointsPerAuthorizationLimitExceeded"


class EndpointAuthorizationsPerClusterLimitExceededFault(ServiceException):
    """Model shape of the same name: code ``EndpointAuthorizationsPerClusterLimitExceeded``, HTTP 400."""

    code = "EndpointAuthorizationsPerClusterLimitExceeded"


class InvalidClusterStateFault(ServiceException):
    """Model shape ``InvalidClusterStateFault``: code ``InvalidClusterState``, HTTP 400."""

    code = "InvalidClusterState"


class InvalidEndpointStateFault(ServiceException):
    """Model shape ``InvalidEndpointStateFault``: code ``InvalidEndpointState``, HTTP 400."""

    code = "InvalidEndpointState"


class InvalidAuthorizationStateFault(ServiceException):
    """Model shape ``InvalidAuthorizationStateFault``: code ``InvalidAuthorizationState``, HTTP 400."""

    code = "InvalidAuthorizationState"


class UnsupportedOperationFault(ServiceException):
    """Model shape ``UnsupportedOperationFault``: code ``UnsupportedOperation``, HTTP 400."""

    code = "UnsupportedOperation"


class InvalidParameterValueError(ServiceException):
    """The query protocol's common ``InvalidParameterValue`` error, HTTP 400."""

    code = "InvalidParameterValue"
