package dev.fakelake.pipelines.report;

import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * The report as one HTML document: a header, sections of charts, tables and notes, and a footer.
 * Charts are inlined as {@code data:} URLs and the style sheet is in the page, so the file works
 * offline, copied anywhere, with no script and no reference to anything outside it.
 */
final class HtmlPage {

  /** A part of a section. */
  sealed interface Block permits ChartBlock, TableBlock, Note {}

  /** A chart image with the sentence that says what it shows. */
  record ChartBlock(byte[] png, String alt, String caption) implements Block {}

  /** A small table; {@code highlighted} rows are shown in bold. */
  record TableBlock(
      String caption, List<String> headers, List<List<String>> rows, List<Boolean> highlighted)
      implements Block {

    static TableBlock of(String caption, List<String> headers, List<List<String>> rows) {
      return new TableBlock(caption, headers, rows, Collections.nCopies(rows.size(), false));
    }
  }

  /** A sentence in place of a chart or table, e.g. why a section is empty. */
  record Note(String text, boolean empty) implements Block {}

  /** A section: its anchor, heading, where its numbers come from, and its blocks. */
  record Section(String id, String title, String source, List<Block> blocks) {

    boolean isEmpty() {
      return blocks.stream().allMatch(b -> b instanceof Note note && note.empty());
    }

    long charts() {
      return blocks.stream().filter(b -> b instanceof ChartBlock).count();
    }
  }

  private static final String STYLE =
      """
      body { font-family: "DejaVu Sans", Arial, Helvetica, sans-serif; margin: 0; color: #222;
             background: #f4f5f7; }
      header { background: #1f3b57; color: #fff; padding: 18px 32px; }
      header h1 { margin: 0 0 8px 0; font-size: 26px; }
      header dl { display: grid; grid-template-columns: max-content auto; gap: 2px 14px; margin: 0;
                  font-size: 14px; }
      header dt { color: #b8c7d6; }
      header dd { margin: 0; font-family: "DejaVu Sans Mono", monospace; }
      nav { padding: 10px 32px; background: #e4e8ee; font-size: 14px; }
      nav a { margin-right: 14px; color: #1f3b57; }
      main { padding: 8px 32px 24px 32px; max-width: 1040px; }
      section { background: #fff; margin: 18px 0; padding: 14px 20px; border-radius: 6px;
                box-shadow: 0 1px 2px rgba(0,0,0,0.12); }
      h2 { margin: 4px 0 2px 0; font-size: 20px; color: #1f3b57; }
      p.source { margin: 0 0 10px 0; font-size: 13px; color: #666; }
      figure { margin: 10px 0 16px 0; }
      figure img { max-width: 100%; height: auto; border: 1px solid #e2e2e2; }
      figcaption { font-size: 14px; color: #444; margin-top: 4px; }
      table { border-collapse: collapse; margin: 6px 0 16px 0; font-size: 13px; }
      table caption { text-align: left; font-size: 14px; color: #444; padding-bottom: 4px; }
      th, td { border-bottom: 1px solid #e2e2e2; padding: 3px 10px; text-align: left;
               vertical-align: top; }
      th { background: #eef1f5; }
      td.num { text-align: right; font-variant-numeric: tabular-nums; }
      tr.highlighted td { font-weight: bold; }
      p.note { font-size: 14px; }
      p.empty { font-size: 14px; color: #8a5a00; background: #fff6e0; padding: 8px 10px; }
      footer { padding: 0 32px 24px 32px; font-size: 12px; color: #666; }
      """;

  private final String title;
  private final Map<String, String> header;
  private final List<Section> sections;
  private final String footer;

  HtmlPage(String title, Map<String, String> header, List<Section> sections, String footer) {
    this.title = title;
    this.header = header;
    this.sections = sections;
    this.footer = footer;
  }

  String render() {
    StringBuilder html = new StringBuilder();
    html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<title>")
        .append(escape(title))
        .append("</title>\n<style>\n")
        .append(STYLE)
        .append("</style>\n</head>\n<body>\n<header>\n<h1>")
        .append(escape(title))
        .append("</h1>\n<dl>\n");
    header.forEach(
        (name, value) ->
            html.append("<dt>")
                .append(escape(name))
                .append("</dt><dd>")
                .append(escape(value))
                .append("</dd>\n"));
    html.append("</dl>\n</header>\n<nav>\n");
    for (Section section : sections) {
      html.append("<a href=\"#")
          .append(section.id())
          .append("\">")
          .append(escape(section.title()))
          .append("</a>\n");
    }
    html.append("</nav>\n<main>\n");
    for (Section section : sections) {
      html.append("<section id=\"")
          .append(section.id())
          .append("\">\n<h2>")
          .append(escape(section.title()))
          .append("</h2>\n<p class=\"source\">")
          .append(escape(section.source()))
          .append("</p>\n");
      for (Block block : section.blocks()) {
        renderBlock(block, html);
      }
      html.append("</section>\n");
    }
    html.append("</main>\n<footer>").append(escape(footer)).append("</footer>\n</body>\n</html>\n");
    return html.toString();
  }

  private static void renderBlock(Block block, StringBuilder html) {
    if (block instanceof ChartBlock chart) {
      html.append("<figure><img src=\"data:image/png;base64,")
          .append(Base64.getEncoder().encodeToString(chart.png()))
          .append("\" width=\"")
          .append(Charts.WIDTH)
          .append("\" height=\"")
          .append(Charts.HEIGHT)
          .append("\" alt=\"")
          .append(escape(chart.alt()))
          .append("\">\n<figcaption>")
          .append(escape(chart.caption()))
          .append("</figcaption></figure>\n");
    } else if (block instanceof TableBlock table) {
      renderTable(table, html);
    } else if (block instanceof Note note) {
      html.append(note.empty() ? "<p class=\"empty\">" : "<p class=\"note\">")
          .append(escape(note.text()))
          .append("</p>\n");
    }
  }

  private static void renderTable(TableBlock table, StringBuilder html) {
    html.append("<table>\n<caption>").append(escape(table.caption())).append("</caption>\n<tr>");
    for (String header : table.headers()) {
      html.append("<th>").append(escape(header)).append("</th>");
    }
    html.append("</tr>\n");
    for (int i = 0; i < table.rows().size(); i++) {
      html.append(table.highlighted().get(i) ? "<tr class=\"highlighted\">" : "<tr>");
      for (String cell : table.rows().get(i)) {
        html.append(isNumber(cell) ? "<td class=\"num\">" : "<td>")
            .append(escape(cell))
            .append("</td>");
      }
      html.append("</tr>\n");
    }
    html.append("</table>\n");
  }

  /** Figures such as {@code 1,234}, {@code -5.5}, {@code 98.1%} are right-aligned. */
  private static boolean isNumber(String cell) {
    return cell.matches("[-+]?[0-9][0-9,]*(\\.[0-9]+)?%?");
  }

  static String escape(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (char c : text.toCharArray()) {
      switch (c) {
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '&' -> out.append("&amp;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }
}
