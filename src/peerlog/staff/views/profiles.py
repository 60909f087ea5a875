"""Project and region profiles for chapter 8: the evaluation's five key decisions per project
(facilitation, leadership, focus, membership, organisational support; doc chapter 6) plus
approach and BaME type, and per region its strategic partner, hub and rural/urban status.

Central researchers edit every profile; coordinators their projects' and regional
researchers their regions' projects and regions. Anything out of scope is a 404, as if it
did not exist. Every change is audited with the fields' old and new values. The profile
becomes columns of participants.csv (``peerlog.export.columns.PROFILE_COLUMNS``).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peerlog.capture.models import Project, Region
from peerlog.staff.access import role_of, role_required, visible_projects
from peerlog.staff.models import Role
from peerlog.staff.views.common import (
    CENTRAL,
    COORD,
    REGIONAL,
    int_param,
    project_or_404,
    save_audited,
)

NOT_RECORDED = gettext_lazy("Not recorded")
YES_NO = [("", NOT_RECORDED), ("yes", gettext_lazy("Yes")), ("no", gettext_lazy("No"))]


def _radio(choices, label):
    return forms.ChoiceField(label=label, required=False, widget=forms.RadioSelect,
                             choices=[("", NOT_RECORDED), *choices])


class ProjectProfileForm(forms.ModelForm):
    """The profile fields only; the project's settings are another page's."""

    approach = forms.ChoiceField(label=gettext_lazy("Approach"), widget=forms.RadioSelect,
                                 choices=Project.Approach.choices)
    bame_type = _radio(Project.BameType.choices, gettext_lazy("BaME type"))
    facilitation = _radio(Project.Facilitation.choices, gettext_lazy("Facilitation"))
    peer_led = forms.ChoiceField(label=gettext_lazy("Peer-led"), required=False,
                                 widget=forms.RadioSelect, choices=YES_NO)
    leaders_trained = forms.ChoiceField(
        label=gettext_lazy("Leaders trained for their role"), required=False,
        widget=forms.RadioSelect, choices=YES_NO)
    leaders_paid = _radio(Project.LeadersPaid.choices,
                          gettext_lazy("Leaders paid or volunteer"))
    focus = forms.MultipleChoiceField(
        label=gettext_lazy("Focus (tick all that apply)"), required=False,
        widget=forms.CheckboxSelectMultiple, choices=Project.Focus.choices)
    membership = forms.MultipleChoiceField(
        label=gettext_lazy("Membership: open, or defined by (tick all that apply)"),
        required=False, widget=forms.CheckboxSelectMultiple, choices=Project.Membership.choices)
    organisational_support = _radio(Project.OrganisationalSupport.choices,
                                    gettext_lazy("Organisational support"))

    class Meta:
        model = Project
        fields = ["approach", "bame_type", "facilitation", "peer_led", "leaders_trained",
                  "leaders_paid", "focus", "membership", "organisational_support"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            for name in ("peer_led", "leaders_trained"):
                value = getattr(self.instance, name)
                self.initial[name] = "" if value is None else ("yes" if value else "no")

    def clean_peer_led(self):
        return {"": None, "yes": True, "no": False}[self.cleaned_data["peer_led"]]

    def clean_leaders_trained(self):
        return {"": None, "yes": True, "no": False}[self.cleaned_data["leaders_trained"]]

    def clean_membership(self):
        chosen = self.cleaned_data["membership"]
        if Project.Membership.OPEN in chosen and len(chosen) > 1:
            raise forms.ValidationError(
                _("Choose either open to anyone, or what membership is defined by, not both."))
        return chosen


class RegionProfileForm(forms.ModelForm):
    rural_urban = _radio(Region.Rurality.choices, gettext_lazy("Rural or urban (DEFRA)"))

    class Meta:
        model = Region
        fields = ["strategic_partner", "hub", "rural_urban"]


def visible_regions(user):
    """Regions whose profile ``user`` may edit: all for central researchers, their own for
    regional researchers, none for anyone else (coordinators work at project level)."""
    role = role_of(user)
    if role == Role.CENTRAL_RESEARCHER:
        return Region.objects.all()
    if role == Role.REGIONAL_RESEARCHER:
        return Region.objects.filter(researchers__user=user)
    return Region.objects.none()


def _save(request: HttpRequest, form: forms.ModelForm, action: str) -> bool:
    """Save a valid form and audit what changed; False (nothing stored) if invalid."""
    if not form.is_valid():
        return False
    if save_audited(request, form, action):
        messages.success(request, _("Profile saved."))
    else:
        messages.info(request, _("Nothing changed."))
    return True


@role_required(COORD, REGIONAL, CENTRAL)
def profiles(request: HttpRequest) -> HttpResponse:
    """The projects and regions whose profiles this person may edit."""
    projects = visible_projects(request.user).select_related("region").order_by(
        "region__name", "name")
    return render(request, "staff/profiles.html", {
        "projects": projects, "regions": visible_regions(request.user).order_by("name"),
    })


def _profile_page(request: HttpRequest, obj, form_class, action: str, url_name: str,
                  title: str, intro: str) -> HttpResponse:
    """Show or save one profile form; a valid POST redirects (so a reload sends nothing)."""
    if request.method == "POST":
        form = form_class(request.POST, instance=obj)
        if _save(request, form, action):
            return redirect(url_name, obj.pk)
    else:
        form = form_class(instance=obj)
    return render(request, "staff/profile_form.html", {"form": form, "title": title,
                                                       "intro": intro},
                  status=400 if form.is_bound and form.errors else 200)


@role_required(COORD, REGIONAL, CENTRAL)
def project_profile(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_or_404(request.user, pk)
    return _profile_page(
        request, project, ProjectProfileForm, "project.profile", "staff:project_profile",
        _("Profile of %(project)s") % {"project": project.name},
        _("The key decisions in planning peer support, as the 2017 evaluation describes them "
          "(chapter 6). They become columns of the analysis export, so chapter 8's "
          "comparisons can use them."))


@role_required(REGIONAL, CENTRAL)
def region_profile(request: HttpRequest, pk: int) -> HttpResponse:
    key = int_param(str(pk))
    region = visible_regions(request.user).filter(pk=key).first() if key else None
    if region is None:  # another region's, or none: the same answer
        raise Http404
    return _profile_page(
        request, region, RegionProfileForm, "region.profile", "staff:region_profile",
        _("Profile of the region %(region)s") % {"region": region.name},
        _("The region's strategic partner and hub organisations (evaluation table 1.1) and "
          "its rural or urban status (table 3.1)."))
