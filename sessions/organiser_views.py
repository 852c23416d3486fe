"""Organiser pages of the agenda, under /organiser/agenda/: forums, sessions, rooms, speakers,
and an overview of the schedule's warnings. Every page needs ``summit.manage_agenda``.

Views stay thin: a form validates, one service call changes the data, and an
:class:`AgendaError` from the service comes back as a form error.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.db.models import Count
from django.forms import Form
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from sessions import services
from sessions.forms import (
    ForumForm,
    RoomForm,
    SessionForm,
    SpeakerForm,
    SpeakerRoleFormSet,
    speaker_choices,
)
from sessions.models import Forum, Session, Speaker
from sessions.selectors import forums_of, group_by_day, rooms_of
from sessions.warnings import schedule_warnings, warnings_for_session
from summit.models import Room
from summit.selectors import summit_or_404


def agenda_manager(view: Callable) -> Callable:
    """Anonymous visitors go to the login page; people without the permission get 403."""

    @wraps(view)
    @login_required
    @permission_required("summit.manage_agenda", raise_exception=True)
    def wrapper(request, *args, **kwargs):
        return view(request, *args, **kwargs)

    return wrapper


def _page(request, template: str, section: str, **context):
    return render(request, f"agenda/organiser/{template}", {"agenda_section": section, **context})


def _submit(form: Form, action: Callable[[], object]) -> bool:
    """Run ``action`` (a service call); put a refusal on the form. True when it succeeded."""
    try:
        action()
    except services.AgendaError as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return False
    return True


def _values(form: Form) -> dict:
    return {name: form.cleaned_data[name] for name in form._meta.fields}


# --- Overview ---------------------------------------------------------------------------------


@agenda_manager
def overview(request):
    summit = summit_or_404()
    sessions = Session.objects.filter(forum__summit=summit)
    counts = {
        "forums": Forum.objects.filter(summit=summit).count(),
        "sessions": sessions.filter(is_published=True).count(),
        "drafts": sessions.filter(is_published=False).count(),
        "cancelled": sessions.filter(status=Session.Status.CANCELLED).count(),
        "rooms": Room.objects.filter(summit=summit).count(),
        "speakers": Speaker.objects.filter(summit=summit).count(),
    }
    warnings = schedule_warnings(summit)
    return _page(
        request, "overview.html", "overview", summit=summit, counts=counts, warnings=warnings
    )


# --- Forums -----------------------------------------------------------------------------------


@agenda_manager
def forum_list(request):
    summit = summit_or_404()
    forums = forums_of(summit).annotate(session_count=Count("sessions"))
    return _page(request, "forum_list.html", "forums", summit=summit, forums=forums)


@agenda_manager
def forum_edit(request, pk: int | None = None):
    return _edit_record(
        request,
        pk,
        Forum,
        ForumForm,
        services.create_forum,
        services.update_forum,
        section="forums",
        saved=_("The forum is saved."),
        noun=_("forum"),
        form_needs_summit=True,
    )


@agenda_manager
def forum_delete(request, pk: int):
    forum = get_object_or_404(Forum, pk=pk, summit=summit_or_404())
    return _delete(request, forum, services.delete_forum, "agenda:organiser-forums", "forums")


# --- Rooms ------------------------------------------------------------------------------------


@agenda_manager
def room_list(request):
    summit = summit_or_404()
    rooms = rooms_of(summit).annotate(session_count=Count("sessions"))
    return _page(request, "room_list.html", "rooms", summit=summit, rooms=rooms)


@agenda_manager
def room_edit(request, pk: int | None = None):
    return _edit_record(
        request,
        pk,
        Room,
        RoomForm,
        services.create_room,
        services.update_room,
        section="rooms",
        saved=_("The room is saved."),
        noun=_("room"),
    )


@agenda_manager
def room_delete(request, pk: int):
    room = get_object_or_404(Room, pk=pk, summit=summit_or_404())
    return _delete(request, room, services.delete_room, "agenda:organiser-rooms", "rooms")


# --- Speakers ---------------------------------------------------------------------------------


@agenda_manager
def speaker_list(request):
    summit = summit_or_404()
    speakers = (
        Speaker.objects.filter(summit=summit)
        .annotate(session_count=Count("appearances"))
        .order_by("name_latin", "name")
    )
    return _page(request, "speaker_list.html", "speakers", summit=summit, speakers=speakers)


@agenda_manager
def speaker_edit(request, pk: int | None = None):
    return _edit_record(
        request,
        pk,
        Speaker,
        SpeakerForm,
        services.create_speaker,
        services.update_speaker,
        section="speakers",
        saved=_("The speaker is saved."),
        noun=_("speaker"),
    )


@agenda_manager
def speaker_delete(request, pk: int):
    speaker = get_object_or_404(Speaker, pk=pk, summit=summit_or_404())
    return _delete(
        request, speaker, services.delete_speaker, "agenda:organiser-speakers", "speakers"
    )


# --- Sessions ---------------------------------------------------------------------------------


@agenda_manager
def session_list(request):
    summit = summit_or_404()
    forums = list(forums_of(summit))
    sessions = (
        Session.objects.filter(forum__summit=summit)
        .select_related("forum", "room")
        .order_by("starts_at", "forum__position", "pk")
    )
    chosen_forum = request.GET.get("forum", "")
    if chosen_forum:
        sessions = sessions.filter(forum__slug=chosen_forum)
    warned: dict[int, int] = {}
    for warning in schedule_warnings(summit):
        for session in warning.sessions:
            warned[session.pk] = warned.get(session.pk, 0) + 1
    sessions = list(sessions)
    for session in sessions:
        session.warning_count = warned.get(session.pk, 0)
    return _page(
        request,
        "session_list.html",
        "sessions",
        summit=summit,
        forums=forums,
        chosen_forum=chosen_forum,
        agenda_days=group_by_day(sessions, summit.tzinfo),
    )


@agenda_manager
def session_edit(request, pk: int | None = None):
    summit = summit_or_404()
    session = (
        get_object_or_404(Session.objects.select_related("forum"), pk=pk, forum__summit=summit)
        if pk
        else None
    )
    instance = Session() if session is None else _copy(session)
    form = SessionForm(request.POST or None, instance=instance, summit=summit)
    initial = []
    # Initial rows only for the blank form: compared with what is posted, unchanged rows
    # would count as empty and drop their speakers.
    if session is not None and request.method != "POST":
        initial = [
            {"speaker": a.speaker_id, "role": a.role, "position": index + 1}
            for index, a in enumerate(session.appearances.order_by("position", "pk"))
        ]
    choices = speaker_choices(summit)
    formset = SpeakerRoleFormSet(
        request.POST or None,
        initial=initial,
        prefix="speakers",
        form_kwargs={"speaker_choices": choices},
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        speakers_by_pk = Speaker.objects.filter(summit=summit).in_bulk()
        roles = [
            services.SpeakerRole(speakers_by_pk[speaker_pk], role)
            for speaker_pk, role in formset.chosen()
        ]
        fields = form.session_fields()
        if session is None:
            forum = fields.pop("forum")
            saved = []
            done = _submit(
                form,
                lambda: saved.append(services.create_session(forum, speakers=roles, **fields)),
            )
        else:
            sequence = session.sequence
            saved = [session]
            notify = form.cleaned_data["notify_guests"]
            done = _submit(
                form,
                lambda: services.update_session(
                    session, speakers=roles, notify_guests=notify, **fields
                ),
            )
        if done:
            messages.success(request, _("The session is saved."))
            if session is not None and session.sequence != sequence:
                messages.info(request, _saved_change_message(notify))
            return redirect("agenda:organiser-session-edit", pk=saved[0].pk)
    warnings = warnings_for_session(session) if session is not None else []
    return _page(
        request,
        "session_form.html",
        "sessions",
        form=form,
        formset=formset,
        record=session,
        warnings=warnings,
    )


def _saved_change_message(notify: bool) -> str:
    if notify:
        return _("Guests' calendars will show the change, and enrolled guests will be e-mailed.")
    return _("Guests' calendars will show the change. No e-mail will be sent.")


@agenda_manager
def session_delete(request, pk: int):
    session = get_object_or_404(Session, pk=pk, forum__summit=summit_or_404())
    return _delete(
        request, session, services.delete_session, "agenda:organiser-sessions", "sessions"
    )


# --- Shared -----------------------------------------------------------------------------------


def _edit_record(
    request, pk, model, form_class, create, update, *, section, saved, noun, form_needs_summit=False
):
    """The create/edit page of a forum, room or speaker: a form, then one service call."""
    summit = summit_or_404()
    record = get_object_or_404(model, pk=pk, summit=summit) if pk else None
    instance = model(summit=summit) if record is None else _copy(record)
    extra = {"summit": summit} if form_needs_summit else {}
    form = form_class(request.POST or None, instance=instance, **extra)
    if request.method == "POST" and form.is_valid():
        if record is None:
            done = _submit(form, lambda: create(summit, **_values(form)))
        else:
            done = _submit(form, lambda: update(record, **_values(form)))
        if done:
            messages.success(request, saved)
            return redirect(f"agenda:organiser-{section}")
    return _page(request, "form.html", section, form=form, record=record, kind=noun)


def _copy(record):
    """A copy for the form to fill in, so that a refused form leaves ``record`` as saved."""
    return type(record).objects.get(pk=record.pk)


def _delete(request, record, delete: Callable, list_url: str, section: str):
    if request.method == "POST":
        try:
            delete(record)
        except services.AgendaError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("“%(name)s” is deleted.") % {"name": record})
            return redirect(list_url)
    return _page(
        request,
        "confirm_delete.html",
        section,
        record=record,
        cancel_url=reverse(list_url),
        is_session=isinstance(record, Session),
    )
