"""The grant's lifecycle: authorize, add a VPC, repeat, revoke, authorize again at once.

No endpoint exists in these tests, so Force never matters here. Sources per
snapshot key: snapshots.meta.json.
"""

from __future__ import annotations

from parity_calls import authorizations, authorize, code_of, outcome, refused
from parity_ledger import Ledger
from parity_targets import Target


def test_a_grant_is_authorized_extended_by_a_vpc_revoked_and_authorized_again_at_once(target: Target, ledger: Ledger, network, snapshot) -> None:
    owner = target.owner.client("redshift")
    vpc_a, vpc_b = network["vpc_a"], network["vpc_b"]

    answer, entry = authorize(target, ledger, [vpc_a])
    snapshot.match("authorize", answer)
    assert (answer["Grantor"], answer["Grantee"], answer["AllowedAllVPCs"], answer["AllowedVPCs"]) == (target.owner.account, target.grantee.account, False, [vpc_a])

    # The Terraform provider's acceptance test _vpcs authorizes an extra VPC on an existing grant.
    added = owner.authorize_endpoint_access(ClusterIdentifier=target.cluster_identifier, Account=target.grantee.account, VpcIds=[vpc_b])
    snapshot.match("add-vpc", added)
    assert sorted(added["AllowedVPCs"]) == sorted([vpc_a, vpc_b])

    # CloudFormation's Translator: authorizing a VPC the grant already holds is "an error saying vpc id already exists".
    repeated = refused(lambda: owner.authorize_endpoint_access(ClusterIdentifier=target.cluster_identifier, Account=target.grantee.account, VpcIds=[vpc_a]))
    snapshot.match("repeat-refused", repeated)

    seen = target.grantee.client("redshift").describe_endpoint_authorization(Grantee=True, Account=target.owner.account, ClusterIdentifier=target.cluster_identifier)
    snapshot.match("grantee-view", seen)
    assert [a["Grantor"] for a in seen["EndpointAuthorizationList"]] == [target.owner.account]

    revoked = owner.revoke_endpoint_access(ClusterIdentifier=target.cluster_identifier, Account=target.grantee.account)
    snapshot.match("revoke", revoked)
    # The provider's _disappears test: right after a plain revoke (no endpoints), the grant reads as gone.
    after = authorizations(target)
    snapshot.match("after-revoke", after)
    assert after["EndpointAuthorizationList"] == []

    # Authorizing again at once: no document says how soon; the snapshot is the assertion.
    again = outcome(lambda: owner.authorize_endpoint_access(ClusterIdentifier=target.cluster_identifier, Account=target.grantee.account, VpcIds=[vpc_a]))
    snapshot.match("reauthorize-at-once", again)
    ledger.release(entry)


def test_authorizing_a_held_vpc_beside_a_new_one_is_refused(target: Target, ledger: Ledger, network, snapshot) -> None:
    _, entry = authorize(target, ledger, [network["vpc_a"]])
    owner = target.owner.client("redshift")
    answer = outcome(
        lambda: owner.authorize_endpoint_access(ClusterIdentifier=target.cluster_identifier, Account=target.grantee.account, VpcIds=[network["vpc_a"], network["vpc_b"]])
    )
    try:
        assert "Error" in answer, f"expected a refusal; the grant now allows {answer.get('AllowedVPCs')}"
        assert code_of(answer)[1] == 400
        snapshot.match("held-and-new-refused", answer)
    finally:
        ledger.release(entry)
