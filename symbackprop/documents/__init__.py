"""Stage 6, documents: the options of a document, its model (sections, summary, figure, tables, appendix,
closed form, exercises, worked example), rendering through ``templates/latex`` and ``templates/markdown``, and the
PDF build."""
