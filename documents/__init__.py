"""The documents aryz issues: certificates, permits and decision letters as signed PDFs.

`seal` makes and checks the signature over a document's canonical data (carried in its QR code)
and over the PDF's bytes; `render` turns a document's data into the PDF (WeasyPrint, Kyrgyz and
Russian on one page); `check` verifies a PDF or a QR payload offline with the public keys.
Used by the issuing activity (workers hold the private key), the API's /verify pages, and
`aryz verify`.
"""
