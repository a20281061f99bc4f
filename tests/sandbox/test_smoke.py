from tests.sandbox.signing import Signer, verify_response


def test_smoke(sandbox, sandbox_merchant):
    ids = sandbox.control.create_complaints(sandbox_merchant.mchid, 3)
    s = Signer(sandbox_merchant)
    r = s.call("GET", f"/v3/merchant-service/complaints-v2/{ids[0]}")
    print(r.status_code, r.headers, r.text[:2000])
    assert verify_response(r, sandbox_merchant)
