"""The reading core: any tabular file → text cells → typed, normalised values. Shared by every loader.

One idea per file, from the bytes up:

- ``gate``: the one verdict on every file before any parser sees it: what the bytes are (CSV, .xlsx, .xls),
  whatever the extension says, or a Chinese refusal (size, encrypted, .xlsb/.ods/Word/PDF/HTML …), kept per file.
- ``archive``: a zip judged for the gate (real sizes, CRC, bombs, DTD/entities and non-UTF-8 markup in any part,
  worksheet spans calamine could not allocate) and what it holds.
- ``ole``: an OLE2 compound file read just far enough for the gate (encryption, Word, the .xls BOF).
- ``encodings``: CSV text: BOM → strict UTF-8 → GB18030, never latin-1; damaged characters refused.
- ``text``: how cell text is folded for comparison (full-width → half-width, blanks).
- ``grids``: the first look: each candidate table (a CSV file, or each sheet) as rows of text cells.
  ``read_workbook`` is the one workbook reader (calamine via fastexcel: cached values only, formulas never
  evaluated; every sheet from its row 1), for the exports and the weekly tables alike, after the gate.
- ``headers``: the header row found below any title lines by the campaign's header synonyms; hidden sheets
  skipped, the best-matching sheet wins.
- ``tables``: the whole table below the header, as text, in slices (polars' streaming CSV scan).
- ``values``: text → values, vectorised: dates (Excel serials, 2018/8/3, 2018年8月3日, 20180803, with or
  without a time), amounts (元, 万元, thousands separators, full-width digits), IDs (scientific notation is
  an error, never a guess), 统一社会信用代码 (GB 32100-2015 check character).
- ``mapping``: few-valued text → keys, once per distinct value: region → unit (经开区 streets, ``outside``),
  platforms, focus-area classification.
"""
