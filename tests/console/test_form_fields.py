"""Every form field renders through one template (templates/forms/field.html, `as_field_group`):
groups of checkboxes and radios are fieldsets named by a legend; help text and errors are tied to
the input."""

from __future__ import annotations

import re

import pytest

from automation.forms import RuleForm
from merchants.forms import UserRolesForm
from tests.factories import make_merchant

pytestmark = pytest.mark.django_db


def test_a_checkbox_group_is_a_fieldset_named_by_its_legend():
    html = str(RuleForm(merchant=make_merchant())["problem_types"].as_field_group())

    assert re.search(r"<fieldset[^>]*>\s*<legend>Problem types</legend>", html)
    assert html.count('type="checkbox"') >= 2
    assert "<label for=" not in html.split("<legend>")[0]  # the group has no stray label


def test_the_help_text_of_a_group_describes_the_fieldset():
    html = str(RuleForm(merchant=make_merchant())["problem_types"].as_field_group())

    described = re.search(r'<fieldset[^>]*aria-describedby="([^"]+)"', html)
    assert described and f'id="{described.group(1)}"' in html
    assert "None ticked: any problem type." in html


def test_a_single_input_keeps_its_label_and_errors():
    form = UserRolesForm(data={"roles": ["nonsense"]})
    form.is_valid()
    html = str(form["roles"].as_field_group())

    assert '<ul class="errorlist" data-testid="error-roles">' in html
    assert re.search(r"<legend>Roles</legend>", html)
    name = str(RuleForm(merchant=make_merchant())["name"].as_field_group())
    assert re.search(r'<label for="id_name">[^<]+</label>', name) and "<fieldset" not in name
