"""A4 documents as PDF with a CJK font: the layout shared by the terminal (文书 printed
through CUPS) and the centre (agreements), so neither imports the other's packages.

``pdfdoc.layout`` holds the document model (plain data, no I/O) and ``render_pdf``;
fpdf2 is imported only when a document is rendered.
"""
