from django.forms.renderers import TemplatesSetting


class ConsoleFormRenderer(TemplatesSetting):
    """One template for every field (`{{ form.x.as_field_group }}`): templates/forms/field.html."""

    field_template_name = "forms/field.html"
