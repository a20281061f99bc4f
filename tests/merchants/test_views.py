"""The admins' merchant pages, through the real URL, middleware and templates."""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from console.models import AuditEvent
from console.roles import roles_of
from merchants.models import CredentialSet, Merchant, MerchantAssignment
from merchants.services import credential_add
from tests.fixtures.users import make_user
from tests.merchants.conftest import parsed_from


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # assert the English msgids
    return client


def credential_post(material, **overrides):
    data = {
        "private_key": material.keypair.private_key_pem,
        "certificate": material.keypair.certificate_pem,
        "apiv3_key": material.apiv3_key,
        "wechatpay_public_key_id": material.public_key_id,
        "wechatpay_public_key": material.public_key_pem,
        "platform_certificates": material.platform_certificate_pem,
    }
    return {**data, **overrides}


def test_an_admin_adds_a_provider_merchant_with_sub_merchants(admin_client):
    response = admin_client.post(
        reverse("merchants:create"),
        {
            "mchid": "1230000109",
            "name": "Provider",
            "kind": "provider",
            "api_base_url": "https://api.mch.weixin.qq.com",
            "backup_api_base_url": "https://api2.mch.weixin.qq.com",
            "active": "on",
            "sub_mchids": "1900000001\n1900000002, 1900000001",
        },
    )

    merchant = Merchant.objects.get(mchid="1230000109")
    assert response.status_code == 302
    assert merchant.sub_mchids == ["1900000001", "1900000002"]
    assert AuditEvent.objects.filter(action="merchant.created", mchid="1230000109").exists()


def test_a_plain_http_host_other_than_a_local_sandbox_is_refused(admin_client):
    response = admin_client.post(
        reverse("merchants:create"),
        {
            "mchid": "1230000109",
            "name": "X",
            "kind": "direct",
            "api_base_url": "http://example.com",
        },
    )

    assert response.status_code == 200
    assert "Use https://" in response.content.decode()


def test_pasted_credentials_are_saved_activated_and_shown_only_as_fingerprints(
    admin_client, merchant, material
):
    response = admin_client.post(
        reverse("merchants:credential_add", args=[merchant.pk]), credential_post(material)
    )
    assert response.status_code == 302

    page = admin_client.get(reverse("merchants:detail", args=[merchant.pk])).content.decode()
    stored = CredentialSet.objects.get()
    assert stored.status == CredentialSet.Status.ACTIVE
    assert stored.certificate_serial in page
    assert stored.private_key_fingerprint[:16] in page
    assert "…" + material.apiv3_key[-4:] in page
    assert "BEGIN" not in page
    assert material.apiv3_key not in page
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert {"credential.added", "credential.activated"} <= set(actions)


def test_the_audit_diff_of_a_credential_holds_no_secret(admin_client, merchant, material):
    admin_client.post(
        reverse("merchants:credential_add", args=[merchant.pk]), credential_post(material)
    )

    event = AuditEvent.objects.get(action="credential.added")
    text = repr(event.changes)
    assert event.changes["certificate_serial"] == material.keypair.serial
    assert event.actor.username == "admin_a"
    assert "BEGIN" not in text and material.apiv3_key not in text


def test_uploaded_key_and_certificate_files_are_accepted(admin_client, merchant, material):
    data = credential_post(material, private_key="", certificate="")
    data["private_key_file"] = SimpleUploadedFile(
        "apiclient_key.pem", material.keypair.private_key_pem.encode()
    )
    data["certificate_file"] = SimpleUploadedFile(
        "apiclient_cert.pem", material.keypair.certificate_pem.encode()
    )

    response = admin_client.post(reverse("merchants:credential_add", args=[merchant.pk]), data)

    assert response.status_code == 302
    assert CredentialSet.objects.get().certificate_serial == material.keypair.serial


def test_a_refused_upload_says_why_and_never_echoes_the_secrets(
    admin_client, merchant, material, second_keypair
):
    response = admin_client.post(
        reverse("merchants:credential_add", args=[merchant.pk]),
        credential_post(material, certificate=second_keypair.certificate_pem, apiv3_key="short"),
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "does not match the private key" in page
    assert "The APIv3 key must be exactly 32 characters; this one has 5." in page
    assert "PRIVATE KEY" not in page
    assert not CredentialSet.objects.exists()


def test_rotation_through_the_pages_activates_the_new_set_and_retires_the_old(
    admin_client, merchant_with_credentials, material, second_keypair
):
    merchant = merchant_with_credentials
    old = CredentialSet.objects.get()
    admin_client.post(
        reverse("merchants:credential_add", args=[merchant.pk]),
        credential_post(
            material,
            private_key=second_keypair.private_key_pem,
            certificate=second_keypair.certificate_pem,
        ),
    )
    new = CredentialSet.objects.exclude(pk=old.pk).get()
    assert new.status == CredentialSet.Status.READY  # added, not yet active

    refused = admin_client.post(
        reverse("merchants:credential_retire", args=[merchant.pk, old.pk]), follow=True
    )
    assert "cannot be retired" in refused.content.decode()

    admin_client.post(reverse("merchants:credential_activate", args=[merchant.pk, new.pk]))
    admin_client.post(reverse("merchants:credential_retire", args=[merchant.pk, old.pk]))

    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.status, new.status) == ("retired", "active")
    assert AuditEvent.objects.filter(action="credential.retired", target_id=str(old.pk)).exists()


def test_a_credential_set_of_another_merchant_answers_404(admin_client, merchant_with_credentials):
    other = Merchant.objects.create(mchid="1900000200", name="Other")
    credential_set = CredentialSet.objects.get()

    response = admin_client.post(
        reverse("merchants:credential_activate", args=[other.pk, credential_set.pk])
    )

    assert response.status_code == 404


def test_an_admin_assigns_and_unassigns_an_agent_audited(admin_client, merchant):
    agent = make_user("agent_x", "agent")

    admin_client.post(reverse("merchants:assignment_add", args=[merchant.pk]), {"user": agent.pk})
    assert MerchantAssignment.objects.filter(user=agent, merchant=merchant).exists()

    admin_client.post(reverse("merchants:assignment_remove", args=[merchant.pk, agent.pk]))
    assert not MerchantAssignment.objects.filter(user=agent, merchant=merchant).exists()
    actions = AuditEvent.objects.filter(target_id=str(agent.pk)).values_list("action", flat=True)
    assert {"assignment.added", "assignment.removed"} <= set(actions)


def test_an_admin_sets_roles_and_merchants_of_a_user(admin_client, merchant):
    user = make_user("new_hire")

    response = admin_client.post(
        reverse("merchants:user_edit", args=[user.pk]),
        {"roles": ["supervisor"], "merchants": [merchant.pk]},
    )

    assert response.status_code == 302
    assert roles_of(user) == ["supervisor"]
    assert MerchantAssignment.objects.filter(user=user, merchant=merchant).exists()
    event = AuditEvent.objects.filter(action="user.roles_changed", target_id=str(user.pk)).first()
    assert event.changes["after"] == ["supervisor"]
    assert event.actor.username == "admin_a"


def test_the_django_admin_shows_no_secret_of_a_credential_set(
    client, merchant_with_credentials, material
):
    superuser = get_user_model().objects.create_superuser("root", password="x" * 12)
    client.force_login(superuser)
    credential_set = CredentialSet.objects.get()

    page = client.get(
        reverse("admin:merchants_credentialset_change", args=[credential_set.pk])
    ).content.decode()

    assert credential_set.certificate_serial in page
    assert "BEGIN" not in page and material.apiv3_key not in page


def test_merchant_list_shows_credential_and_callback_status(
    admin_client, merchant_with_credentials
):
    page = admin_client.get(reverse("merchants:list")).content.decode()

    assert CredentialSet.objects.get().certificate_serial in page
    assert "1900000109" in page


def test_credential_add_service_refuses_nothing_the_parser_accepted(merchant, material):
    credential_set = credential_add(merchant=merchant, parsed=parsed_from(material))
    assert credential_set.status == "active"


def test_the_list_counts_credential_sets_and_people_each_once(merchant_with_credentials):
    """Regression: two counts over two joins multiplied each other (1 set × 3 people = 3)."""
    from merchants.selectors import merchant_list

    for n in range(3):
        MerchantAssignment.objects.create(
            user=make_user(f"listed_agent_{n}", "agent"), merchant=merchant_with_credentials
        )

    (row,) = merchant_list()

    assert (row.usable_sets, row.assigned_users) == (1, 3)


def test_the_credential_page_renders_every_field_of_its_form(admin_client, merchant):
    from merchants.forms import CredentialForm

    page = admin_client.get(reverse("merchants:credential_add", args=[merchant.pk]))

    html = page.content.decode()
    missing = [name for name in CredentialForm.base_fields if f'name="{name}"' not in html]
    assert missing == []


def test_the_users_page_names_roles_in_words(admin_client):
    make_user("roles_page_agent", "agent")
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"

    page = admin_client.get(reverse("merchants:users")).content.decode()

    assert '<span class="badge info" title="agent">客服</span>' in page


def test_an_admin_adds_a_user_whose_password_is_shown_once(admin_client, merchant):
    answer = admin_client.post(reverse("merchants:user_create"), {
        "username": "new_agent", "name": "新客服", "roles": ["agent"],
        "merchants": [merchant.pk],
    })  # fmt: skip

    page = answer.content.decode()
    password = page.split('<code class="one-time-password">', 1)[1].split("</code>", 1)[0]
    user = get_user_model().objects.get(username="new_agent")
    assert user.check_password(password) and len(password) >= 12
    assert roles_of(user) == ["agent"]
    assert MerchantAssignment.objects.filter(user=user, merchant=merchant).exists()
    assert answer["Cache-Control"].startswith("max-age=0")
    audited = AuditEvent.objects.filter(target_id=str(user.pk)).values_list("action", flat=True)
    assert {"user.created", "user.roles_changed", "assignment.added"} <= set(audited)
    assert not any(password in str(e.changes) for e in AuditEvent.objects.all())


def test_a_taken_or_invalid_username_is_refused_and_nothing_is_created(admin_client, merchant):
    make_user("taken_name", "agent")
    before = get_user_model().objects.count()

    taken = admin_client.post(reverse("merchants:user_create"), {"username": "TAKEN_name"})
    invalid = admin_client.post(reverse("merchants:user_create"), {"username": "no spaces!"})

    assert 'data-testid="error-username"' in taken.content.decode()
    assert 'data-testid="error-username"' in invalid.content.decode()
    assert get_user_model().objects.count() == before


def test_an_admin_resets_a_forgotten_password(admin_client):
    from django.test import Client

    from tests.fixtures.users import PASSWORD

    agent = make_user("forgetful_agent", "agent")
    their_browser = Client()
    their_browser.force_login(agent)

    answer = admin_client.post(reverse("merchants:user_password_reset", args=[agent.pk]))

    password = answer.content.decode().split('<code class="one-time-password">', 1)[1]
    password = password.split("</code>", 1)[0]
    agent.refresh_from_db()
    assert agent.check_password(password) and not agent.check_password(PASSWORD)
    assert their_browser.get("/").status_code == 302  # their session ended
    assert AuditEvent.objects.filter(action="user.password_reset").exists()


def test_an_admin_deactivates_someone_who_left_and_can_bring_them_back(admin_client, admin_user):
    from django.test import Client

    agent = make_user("leaver", "agent")
    their_browser = Client()
    their_browser.force_login(agent)
    url = reverse("merchants:user_active", args=[agent.pk])

    admin_client.post(url, {"active": "0"})
    agent.refresh_from_db()
    assert not agent.is_active
    assert their_browser.get("/").status_code == 302  # their session ended
    admin_client.post(url, {"active": "1"})
    agent.refresh_from_db()
    assert agent.is_active
    actions = set(
        AuditEvent.objects.filter(target_id=str(agent.pk)).values_list("action", flat=True)
    )
    assert {"user.deactivated", "user.reactivated"} <= actions


def test_an_admin_cannot_deactivate_themselves(admin_client, admin_user):
    answer = admin_client.post(
        reverse("merchants:user_active", args=[admin_user.pk]), {"active": "0"}, follow=True
    )

    admin_user.refresh_from_db()
    assert admin_user.is_active
    assert "You cannot deactivate yourself." in answer.content.decode()
