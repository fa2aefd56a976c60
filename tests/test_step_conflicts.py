"""Two tabs (or two people) on one assessment step: the later save from a stale page is
refused, shows both versions worded as the form asks, and lets the user choose.
And lists have a ceiling, so a forged row count is answered at once."""

import re
from urllib.parse import urlencode

import pytest

from checklist.forms import LIST_MAX_ROWS, MarketsForm
from checklist.models import OFFICERS, Assessment
from checklist.services import StaleRevision, save_step
from tests.test_assessments import formset_data, make_user, start, step_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(client):
    user = make_user("olga", OFFICERS)
    client.force_login(user)
    return user


def shown_revision(html: str) -> str:
    """The version token a rendered step form carries."""
    return re.search(r'name="revision" value="(\d+)"', html).group(1)


def shown_token(html: str) -> dict:
    """Both hidden fields a rendered step form carries: the version, and its step's answers."""
    answers = re.search(r'name="step_answers" value="([0-9a-f]*)"', html).group(1)
    return {"revision": shown_revision(html), "step_answers": answers}


def markets(share: str, revision: str, **extra) -> dict:
    return {"revision": revision, "main-export_share": share, "main-foreign_buyers": "", **extra}


def test_every_step_form_carries_the_version_token(client, officer):
    assessment = start(client)
    for step in ("profile", "firms", "linkages", "institutions", "markets", "policy"):
        html = client.get(step_url(assessment, step)).content.decode()
        assert shown_revision(html) == str(assessment.revision)


def test_a_stale_tab_cannot_undo_a_newer_save(client, officer):
    assessment = start(client)
    url = step_url(assessment, "markets")
    tab1 = shown_revision(client.get(url).content.decode())
    tab2 = shown_revision(client.get(url).content.decode())
    first = client.post(url, markets("40", tab1, save_draft="1"))
    assert first.status_code == 302
    second = client.post(url, markets("10", tab2, save_draft="1"))
    html = second.content.decode()
    assert second.status_code == 409
    assert "Nothing on this step was saved" in html
    assessment.refresh_from_db()
    assert assessment.export_share == 40  # tab 1's change is kept
    # Both versions, side by side, worded as the form asks.
    conflict = html[html.index('id="conflict"') :]
    assert "Share of output exported (%)" in conflict
    assert re.search(r"<td>10</td>\s*<td>40(\.00)?</td>", conflict), conflict[:3000]
    # The form keeps what this tab typed, with the stored version's token, so saving it
    # again is a deliberate overwrite; reloading keeps the stored answers.
    assert 'name="main-export_share" value="10"' in html
    assert shown_revision(html) == str(assessment.revision)
    assert f'href="{url}"' in html and "Keep the stored answers" in html


def test_choosing_to_overwrite_saves_the_stale_tabs_answers(client, officer):
    assessment = start(client)
    url = step_url(assessment, "markets")
    stale = shown_revision(client.get(url).content.decode())
    client.post(url, markets("40", stale, save_draft="1"))
    refused = client.post(url, markets("10", stale, save_draft="1")).content.decode()
    overwrite = client.post(url, markets("10", shown_revision(refused), overwrite="1"))
    assert overwrite.status_code == 302
    assessment.refresh_from_db()
    assert assessment.export_share == 10


def test_a_save_without_a_token_is_refused_not_applied(client, officer):
    assessment = start(client)
    response = client.post(step_url(assessment, "markets"), {"main-export_share": "10"})
    assert response.status_code == 409
    assessment.refresh_from_db()
    assert assessment.export_share is None and "markets" not in assessment.steps_done


def test_a_save_racing_past_the_check_is_refused_by_the_service(client, officer):
    """Two requests may both pass the view's check; the UPDATE that claims the revision lets
    only the first one write."""
    assessment = start(client)
    stale = assessment.revision
    Assessment.objects.filter(pk=assessment.pk).update(revision=stale + 1)  # the other save
    form = MarketsForm({"main-export_share": "10"}, instance=assessment, prefix="main")
    assert form.is_valid()
    with pytest.raises(StaleRevision):
        save_step(assessment=assessment, step="markets", revision=stale, form=form)
    assessment.refresh_from_db()
    assert assessment.export_share is None and "markets" not in assessment.steps_done


def test_every_save_moves_the_token_on(client, officer):
    assessment = start(client)
    url = step_url(assessment, "markets")
    before = assessment.revision
    client.post(url, markets("40", str(before), save_draft="1"))
    assessment.refresh_from_db()
    assert assessment.revision == before + 1


def ties_rows(*descriptions):
    return [
        {
            "direction": "backward",
            "nature": "subcontracting",
            "from_role": "producer",
            "to_role": "stage_unit",
            "strength": "moderate",
            "trend": "unknown",
            "description": text,
        }
        for text in descriptions
    ]


def saved_rows(client, assessment, revision, *descriptions):
    """The linkages step as a tab shows it once these rows are stored: ids and all."""
    data = {"revision": revision, **formset_data("linkages", ties_rows(*descriptions))}
    assert client.post(step_url(assessment, "linkages"), data).status_code == 302
    assessment.refresh_from_db()
    ids = list(assessment.ties.values_list("pk", flat=True))
    return ids


def edit_rows(revision, rows, extra=None):
    """A tab's POST editing stored rows (id, description) and optionally deleting some."""
    data = {
        "revision": revision,
        "linkages-TOTAL_FORMS": str(len(rows)),
        "linkages-INITIAL_FORMS": str(len(rows)),
        "linkages-MIN_NUM_FORMS": "0",
        "linkages-MAX_NUM_FORMS": "1000",
    }
    for index, (pk, text, delete) in enumerate(rows):
        row = ties_rows(text)[0]
        data.update({f"linkages-{index}-{key}": value for key, value in row.items()})
        data[f"linkages-{index}-id"] = str(pk)
        if delete:
            data[f"linkages-{index}-DELETE"] = "on"
    data.update(extra or {})
    return data


def test_a_stale_tab_editing_a_row_another_tab_deleted_is_told_so(client, officer):
    assessment = start(client)
    first, second = saved_rows(client, assessment, str(assessment.revision), "Alpha", "Beta")
    url = step_url(assessment, "linkages")
    token = shown_revision(client.get(url).content.decode())
    # Tab 1 deletes "Beta"; tab 2, opened before, edits it.
    deleted = client.post(url, edit_rows(token, [(first, "Alpha", False), (second, "Beta", True)]))
    assert deleted.status_code == 302
    stale = client.post(url, edit_rows(token, [(first, "Alpha", False), (second, "Beta 2", False)]))
    html = stale.content.decode()
    assert stale.status_code == 409
    assert "A row you were editing was deleted since you opened this page" in html
    assert "Beta 2" in html[html.index("was deleted since") :][:300]  # named by its words
    assert list(assessment.ties.values_list("description", flat=True)) == ["Alpha"]
    # Overwriting adds the edited row again, as a new row.
    again = client.post(url, edit_rows(shown_revision(html), [], extra=_resubmission(html)))
    assert again.status_code == 302
    assert list(assessment.ties.values_list("description", flat=True)) == ["Alpha", "Beta 2"]


def _resubmission(html: str) -> dict:
    """The fields of the re-rendered form, as a browser would post them."""
    data = {}
    for name, value in re.findall(r'<input[^>]*name="(linkages-[^"]+)"[^>]*value="([^"]*)"', html):
        data[name] = value
    for name, value in re.findall(
        r'<select[^>]*name="(linkages-[^"]+)"[^>]*>.*?<option value="([^"]*)"[^>]*selected',
        html,
        flags=re.S,
    ):
        data[name] = value
    data["overwrite"] = "1"
    return data


def test_a_row_id_that_is_not_stored_gets_a_visible_message(client, officer):
    assessment = start(client)
    url = step_url(assessment, "linkages")
    token = shown_revision(client.get(url).content.decode())
    response = client.post(url, edit_rows(token, [(999999, "Ghost", False)]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "This row was deleted since this page was opened" in html
    assert not assessment.ties.exists()


def test_a_forged_row_count_is_refused_at_once_and_nothing_saved(client, officer):
    assessment = start(client)
    url = step_url(assessment, "firms")
    data = {
        "revision": str(assessment.revision),
        **formset_data("firms", [{"role": "producer", "name": "Makers"}], extra_total=5000),
    }
    response = client.post(url, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert f"A list holds at most {LIST_MAX_ROWS} rows" in html
    shown = html[: html.index('<template id="firms-empty-row">')]  # the rows, not Add a row's
    assert shown.count('class="border rounded p-2 mb-2 formset-row"') <= LIST_MAX_ROWS  # not 5000
    assessment.refresh_from_db()
    assert not assessment.groups.exists() and "firms" not in assessment.steps_done


def test_one_row_over_the_ceiling_is_refused(client, officer):
    assessment = start(client)
    rows = [{"role": "producer", "name": f"Makers {n}"} for n in range(LIST_MAX_ROWS + 1)]
    data = {"revision": str(assessment.revision), **formset_data("firms", rows)}
    html = client.post(step_url(assessment, "firms"), data).content.decode()
    assert f"A list holds at most {LIST_MAX_ROWS} rows" in html
    assert not Assessment.objects.get(pk=assessment.pk).groups.exists()


def test_a_list_of_exactly_the_ceiling_is_saved(client, officer):
    assessment = start(client)
    rows = [{"role": "producer", "name": f"Makers {n}"} for n in range(LIST_MAX_ROWS)]
    data = {"revision": str(assessment.revision), **formset_data("firms", rows)}
    assert client.post(step_url(assessment, "firms"), data).status_code == 302
    assert Assessment.objects.get(pk=assessment.pk).groups.count() == LIST_MAX_ROWS


def test_a_stale_save_with_row_keys_no_page_has_still_gets_the_conflict_view(client, officer):
    assessment = start(client)
    junk = {
        "linkages-" + "9" * 4301 + "-description": "x",  # int() refuses 4,301 digits
        "linkages-²-description": "y",
        "linkages-INITIAL_FORMS": "junk",
        "linkages-TOTAL_FORMS": "9" * 4301,
    }
    # Form-encoded, as browsers send this page (in multipart, Django itself refuses a part
    # header this long with a 400 before any view runs).
    body = urlencode({"revision": "0" + "9" * 40, **junk})
    response = client.post(
        step_url(assessment, "linkages"), body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 409
    assert not assessment.ties.exists()


def test_saving_another_step_in_another_tab_is_not_a_conflict(client, officer):
    """The version moves with any save, but only a change of this step's answers since the
    page was shown can be undone by saving it."""
    assessment = start(client)
    policy_tab = shown_token(client.get(step_url(assessment, "policy")).content.decode())
    markets_tab = shown_token(client.get(step_url(assessment, "markets")).content.decode())
    assert (
        client.post(step_url(assessment, "policy"), {**policy_tab, "save_draft": "1"}).status_code
        == 302
    )
    saved = client.post(
        step_url(assessment, "markets"),
        {**markets("40", "", save_draft="1"), **markets_tab},
    )
    assert saved.status_code == 302
    assessment.refresh_from_db()
    assert assessment.export_share == 40 and "policy" in assessment.steps_done


def test_a_stale_tab_with_its_step_token_is_still_refused_when_the_step_changed(client, officer):
    assessment = start(client)
    url = step_url(assessment, "markets")
    tab1 = shown_token(client.get(url).content.decode())
    tab2 = shown_token(client.get(url).content.decode())
    assert client.post(url, {**markets("40", "", save_draft="1"), **tab1}).status_code == 302
    second = client.post(url, {**markets("10", "", save_draft="1"), **tab2})
    assert second.status_code == 409
    assessment.refresh_from_db()
    assert assessment.export_share == 40


def test_a_step_save_does_not_undo_a_submit_or_sharing_made_since_it_was_read(client, officer):
    assessment = start(client)
    read_before = Assessment.objects.get(pk=assessment.pk)  # the page's copy
    # Made elsewhere without moving the version: a submit, and an admin sharing it.
    Assessment.objects.filter(pk=assessment.pk).update(
        status=Assessment.Status.SUBMITTED, share_with_researchers=True
    )
    form = MarketsForm({"main-export_share": "10"}, instance=read_before, prefix="main")
    assert form.is_valid()
    save_step(assessment=read_before, step="markets", revision=read_before.revision, form=form)
    assessment.refresh_from_db()
    assert assessment.export_share == 10
    assert assessment.status == Assessment.Status.SUBMITTED and assessment.share_with_researchers


def test_a_deleted_first_row_is_named_by_its_words_and_comes_back_last(client, officer):
    assessment = start(client)
    first, second = saved_rows(client, assessment, str(assessment.revision), "Alpha", "Beta")
    url = step_url(assessment, "linkages")
    token = shown_revision(client.get(url).content.decode())
    # Tab 1 deletes "Alpha", the first row; tab 2, opened before, edits it.
    client.post(url, edit_rows(token, [(first, "Alpha", True), (second, "Beta", False)]))
    stale = client.post(url, edit_rows(token, [(first, "Alpha 2", False), (second, "Beta", False)]))
    html = stale.content.decode()
    assert stale.status_code == 409
    notice = html[html.index("was deleted since") :][:300]
    assert "Alpha 2" in notice and "at the end of the list" in notice
    again = client.post(url, edit_rows(shown_revision(html), [], extra=_resubmission(html)))
    assert again.status_code == 302
    assert list(assessment.ties.values_list("description", flat=True)) == ["Beta", "Alpha 2"]
