def test_home_page_renders_for_anonymous_visitor(client, db):
    response = client.get("/")
    assert response.status_code == 200
    assert b'lang="en-GB"' in response.content
