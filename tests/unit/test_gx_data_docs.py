"""GX Data Docs open offline and call nowhere: what a page would fetch from a CDN is taken out."""

from __future__ import annotations

from nro_pipeline.lib.validate.gx_data_docs import offline_page

PAGE = """<html><head>
<link rel="stylesheet" href="https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css"/>
<link rel="shortcut icon" href="./static/images/favicon.ico" type="image/x-icon"/>
<script src="https://code.jquery.com/jquery-3.7.1.min.js"></script>
<script>var local = 1;</script>
</head><body>
<img src="https://great-expectations-web-assets.s3.us-east-2.amazonaws.com/logo-long.png?d=1"/>
<a href="https://greatexpectations.io">GX</a><i class="fas fa-times text-danger"></i>
</body></html>"""


def test_remote_assets_go_links_and_local_files_stay() -> None:
    page = offline_page(PAGE)
    assert "bootstrapcdn" not in page and "jquery" not in page and "amazonaws" not in page
    assert "./static/images/favicon.ico" in page and "var local = 1" in page
    assert '<a href="https://greatexpectations.io">' in page  # a link is the reader's click
    assert page.index("<style>") < page.index("</head>") and ".fa-times::before" in page
