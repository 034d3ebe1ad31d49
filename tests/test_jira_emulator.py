"""The emulator answers the real `jira` client in Atlassian's documented shapes."""

from __future__ import annotations

import jira as jira_lib
import pytest
import requests
from jira.exceptions import JIRAError

from jira_emulator import API_TOKEN, EMAIL, PAT, JiraEmulator, parse_jql


@pytest.fixture(params=["Server", "Cloud"])
def site(request):
    emulator = JiraEmulator(request.param).start()
    auth = {"token_auth": PAT} if request.param == "Server" else {"basic_auth": (EMAIL, API_TOKEN)}
    client = jira_lib.JIRA(emulator.url, max_retries=0, logging=False, **auth)
    yield emulator, client
    client.close()
    emulator.stop()


def fields(summary, project="ARCH", **extra):
    return {"project": {"key": project}, "issuetype": {"name": "Task"}, "summary": summary, **extra}


def test_server_info_fields_projects(site):
    emulator, client = site
    assert client.deploymentType == emulator.deployment
    assert client.server_info()["versionNumbers"][0] in (9, 1001)
    assert {f["id"] for f in client.fields()} >= {"summary", "labels", "duedate", "assignee"}
    assert [p.key for p in client.projects()] == ["ARCH", "BOM", "SEC"]
    assert client.project("ARCH").name == "Architecture"
    assert client.issue_type_by_name("Task", project="ARCH").id == "10002"
    with pytest.raises(JIRAError) as caught:
        client.project("NOPE")
    assert caught.value.status_code == 404


def test_create_get_search_transition_comment_link(site):
    emulator, client = site
    issue = client.create_issue(fields=fields("first", labels=["insights", "insights-aa"], duedate="2022-01-31"))
    assert issue.key == "ARCH-1" and issue.fields.status.name == "To Do"  # prefetched via GET issue
    client.create_issue(fields=fields("second", project="BOM", labels=["insights"]), prefetch=False)
    found = client.search_issues('labels = "insights-aa"')
    assert [i.key for i in found] == ["ARCH-1"] and found[0].fields.duedate == "2022-01-31"
    assert [i.key for i in client.search_issues("labels = insights AND project = BOM")] == ["BOM-1"]
    assert [i.key for i in client.search_issues("labels in (insights) ORDER BY key DESC")] == ["BOM-1", "ARCH-1"]
    assert {t["name"] for t in client.transitions("ARCH-1")} == {"To Do", "In Progress", "Done"}
    client.transition_issue("ARCH-1", "Done")
    done = client.issue("ARCH-1", fields="status,resolution")
    assert done.fields.status.statusCategory.key == "done" and done.fields.resolution.name == "Done"
    client.add_comment("ARCH-1", "hello")
    assert [c.body for c in client.comments("ARCH-1")] == ["hello"]
    client._applicationlinks = []
    client.add_remote_link("ARCH-1", {"url": "https://x/1", "title": "notes"}, globalId="g1")
    client.add_remote_link("ARCH-1", {"url": "https://x/2", "title": "notes"}, globalId="g1")  # same id: update
    links = client.remote_links("ARCH-1")
    assert len(links) == 1 and links[0].object.url == "https://x/2"
    client.add_simple_link("ARCH-1", {"url": "https://x/3", "title": "other"})
    assert len(client.remote_links("ARCH-1")) == 2
    # both API paths serve the same resources
    for version in ("2", "latest"):
        response = client._session.get(f"{emulator.url}/rest/api/{version}/issue/ARCH-1")
        assert response.json()["key"] == "ARCH-1"


def test_search_pages(site):
    emulator, client = site
    for n in range(7):
        client.create_issue(fields=fields(f"issue {n}", labels=["many"]), prefetch=False)
    assert len(client.search_issues("labels = many", maxResults=0)) == 7  # all pages
    path = "search/jql" if emulator.cloud else "search"
    assert any(r["path"] == f"/rest/api/2/{path}" for r in emulator.requests)


def test_bulk_create_reports_each_element(site):
    emulator, client = site
    results = client.create_issues([fields("ok"), fields("needs a component", project="SEC")], prefetch=False)
    assert [r["status"] for r in results] == ["Success", "Error"]
    assert results[1]["error"] == {"components": "Component/s is required."}


def test_assignee_on_both_paths_and_forms(site):
    emulator, client = site
    client.create_issue(fields=fields("assign me"), prefetch=False)
    user = "ada"
    assert client.assign_issue("ARCH-1", user)  # the client searches users, then PUTs on /latest
    assert emulator.issues["ARCH-1"]["fields"]["assignee"]["name"] == "ada"
    assert any(r["method"] == "PUT" and r["path"] == "/rest/api/latest/issue/ARCH-1/assignee"
               for r in emulator.requests)
    wrong = {"name": "ada"} if emulator.cloud else {"accountId": "557058:ada-0001"}
    response = requests.put(f"{emulator.url}/rest/api/2/issue/ARCH-1/assignee", json=wrong,
                            auth=(EMAIL, API_TOKEN), timeout=5)
    assert response.status_code == 400 and "assignee" in response.json()["errors"]


def test_errors_follow_the_documented_shape(site):
    emulator, client = site
    with pytest.raises(JIRAError) as caught:
        client.search_issues("summary ~ paver")
    assert caught.value.status_code == 400
    emulator.fail("GET", r"/myself$", 503)
    with pytest.raises(JIRAError) as caught:
        client.myself()
    assert caught.value.status_code == 503 and caught.value.response.json()["errorMessages"]
    response = requests.get(f"{emulator.url}/rest/api/2/myself", auth=(EMAIL, "wrong"), timeout=5)
    assert response.status_code == 401 and response.json() == {
        "errorMessages": ["You are not authenticated. Authentication required to perform this operation."],
        "errors": {}}


def test_jql_subset():
    clauses, order = parse_jql('labels = "insights-ab" AND project in (ARCH, BOM) ORDER BY created ASC')
    assert clauses == [("labels", "=", ["insights-ab"]), ("project", "in", ["ARCH", "BOM"])]
    assert order == ("created", False)
