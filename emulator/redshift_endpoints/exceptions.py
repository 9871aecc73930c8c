"""The errors of the Redshift-managed VPC endpoint operations (moto's ``exceptions.py`` role).

Each fault class is the model shape of the same name in botocore's
``redshift/2012-12-01/service-2.json``; moto's serializer looks its ``code`` up
in that model and answers with the shape's ``httpStatusCode``. Where the model
or the AWS documentation names no error for a rule, the code chosen is one the
model lists for that operation, and the choice is written as the rule's
``assumed`` in ``emulator/rules.py``.
"""

from __future__ import annotations

from moto.core.exceptions import ServiceException


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
