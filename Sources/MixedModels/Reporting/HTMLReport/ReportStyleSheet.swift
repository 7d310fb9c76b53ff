/// The report's style sheet, inline in the page: readable on a laptop screen, two columns of
/// plots where the window is wide enough, and a print layout that keeps tables and figures whole.
enum ReportStyleSheet {
    static let css = """
    :root { color-scheme: light; }
    body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; color: #222; background: #fff;
           margin: 0; line-height: 1.45; font-size: 15px; }
    main { max-width: 1340px; margin: 0 auto; padding: 24px 28px 48px; }
    h1 { font-size: 26px; margin: 0 0 4px; }
    h2 { font-size: 19px; margin: 32px 0 10px; padding-bottom: 4px; border-bottom: 1px solid #ddd; }
    h3 { font-size: 15px; margin: 18px 0 6px; }
    p { margin: 6px 0; }
    code, .formula { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; }
    .formula { font-size: 16px; background: #f4f6f9; border: 1px solid #dde3ea; border-radius: 4px;
               padding: 8px 12px; display: inline-block; margin: 8px 0; }
    .muted { color: #666; }
    .tables { display: flex; flex-wrap: wrap; gap: 8px 40px; align-items: flex-start; }
    table { border-collapse: collapse; margin: 6px 0 12px; font-size: 14px; }
    caption { text-align: left; font-weight: bold; padding: 0 0 4px; }
    th, td { padding: 3px 10px; border-bottom: 1px solid #e6e6e6; text-align: left; white-space: nowrap; }
    thead th { border-bottom: 2px solid #bbb; background: #f7f7f7; }
    td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
    .warnings { background: #fff6e5; border: 1px solid #f0d9a8; border-radius: 4px; padding: 6px 14px; }
    .plots { display: grid; grid-template-columns: repeat(auto-fill, minmax(460px, 1fr)); gap: 20px;
             align-items: start; }
    figure { margin: 0; max-width: 720px; }
    figure svg { display: block; width: 100%; height: auto; border: 1px solid #e3e3e3; }
    figcaption { font-size: 13px; color: #555; padding: 4px 2px 0; }
    footer { margin-top: 36px; font-size: 13px; color: #666; }
    @media print {
      body { font-size: 10pt; }
      main { max-width: none; padding: 0; }
      h2 { break-after: avoid; }
      table, figure { break-inside: avoid; }
      .plots { grid-template-columns: 1fr 1fr; gap: 10px; }
      figure svg { border: none; }
      figcaption { font-size: 8pt; }
    }
    """
}
