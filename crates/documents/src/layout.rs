//! A minimal flowing-text layout: headings and wrapped paragraphs on A4 pages.

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

const PAGE_WIDTH: f32 = 595.0;
const PAGE_HEIGHT: f32 = 842.0;
const MARGIN: f32 = 56.0;
const REGULAR: Name<'static> = Name(b"F1");
const BOLD: Name<'static> = Name(b"F2");

struct Line {
    text: Vec<u8>,
    size: f32,
    bold: bool,
    space_before: f32,
}

/// Lines of text laid out top to bottom, broken into pages when full.
pub struct TextDocument {
    title: String,
    lines: Vec<Line>,
}

impl TextDocument {
    pub fn new(title: &str) -> Self {
        TextDocument { title: title.to_owned(), lines: Vec::new() }
    }

    pub fn title(&mut self, text: &str) {
        self.push(text, 20.0, true, 0.0);
    }

    pub fn heading(&mut self, text: &str) {
        self.push(text, 13.0, true, 14.0);
    }

    pub fn strong(&mut self, text: &str) {
        self.wrapped(text, 10.5, true, 6.0);
    }

    pub fn line(&mut self, text: &str) {
        self.wrapped(text, 12.0, false, 4.0);
    }

    pub fn small(&mut self, text: &str) {
        self.wrapped(text, 9.0, false, 2.0);
    }

    pub fn paragraph(&mut self, text: &str) {
        self.wrapped(text, 10.0, false, 3.0);
    }

    fn push(&mut self, text: &str, size: f32, bold: bool, space_before: f32) {
        self.lines.push(Line { text: win_ansi(text), size, bold, space_before });
    }

    /// Breaks `text` into lines that fit the page width, using Helvetica's average glyph width
    /// (about half the font size) — close enough for prose without embedding font metrics.
    fn wrapped(&mut self, text: &str, size: f32, bold: bool, space_before: f32) {
        let max_chars = ((PAGE_WIDTH - 2.0 * MARGIN) / (size * 0.5)) as usize;
        let mut current = String::new();
        let mut first = true;
        for word in text.split_whitespace() {
            if !current.is_empty() && current.len() + 1 + word.len() > max_chars {
                self.push(&current, size, bold, if first { space_before } else { 0.0 });
                first = false;
                current.clear();
            }
            if !current.is_empty() {
                current.push(' ');
            }
            current.push_str(word);
        }
        if !current.is_empty() || first {
            self.push(&current, size, bold, if first { space_before } else { 0.0 });
        }
    }

    /// The finished PDF file.
    pub fn finish(self) -> Vec<u8> {
        let mut pages: Vec<Content> = Vec::new();
        let mut content = Content::new();
        let mut y = PAGE_HEIGHT - MARGIN;
        for line in &self.lines {
            let height = line.size * 1.35 + line.space_before;
            if y - height < MARGIN {
                pages.push(std::mem::replace(&mut content, Content::new()));
                y = PAGE_HEIGHT - MARGIN;
            }
            y -= height;
            content.begin_text();
            content.set_font(if line.bold { BOLD } else { REGULAR }, line.size);
            content.next_line(MARGIN, y);
            content.show(Str(&line.text));
            content.end_text();
        }
        pages.push(content);

        let catalog_id = Ref::new(1);
        let tree_id = Ref::new(2);
        let regular_id = Ref::new(3);
        let bold_id = Ref::new(4);
        let info_id = Ref::new(5);
        let first_page = 6;
        let page_ids: Vec<Ref> = (0..pages.len()).map(|i| Ref::new(first_page + 2 * i as i32)).collect();

        let mut pdf = Pdf::new();
        pdf.catalog(catalog_id).pages(tree_id);
        pdf.pages(tree_id).kids(page_ids.iter().copied()).count(pages.len() as i32);
        pdf.type1_font(regular_id).base_font(Name(b"Helvetica")).encoding_predefined(Name(b"WinAnsiEncoding"));
        pdf.type1_font(bold_id).base_font(Name(b"Helvetica-Bold")).encoding_predefined(Name(b"WinAnsiEncoding"));
        pdf.document_info(info_id).title(TextStr(&self.title)).producer(TextStr("ats-bridge"));
        for (content, page_id) in pages.into_iter().zip(&page_ids) {
            let content_id = Ref::new(page_id.get() + 1);
            let mut page = pdf.page(*page_id);
            page.media_box(Rect::new(0.0, 0.0, PAGE_WIDTH, PAGE_HEIGHT));
            page.parent(tree_id);
            page.contents(content_id);
            let mut resources = page.resources();
            resources.fonts().pair(REGULAR, regular_id).pair(BOLD, bold_id);
            resources.finish();
            page.finish();
            pdf.stream(content_id, &content.finish());
        }
        pdf.finish()
    }
}

/// Encodes text for the standard fonts' WinAnsi encoding: Latin-1 characters map to themselves,
/// anything else becomes '?'.
fn win_ansi(text: &str) -> Vec<u8> {
    text.chars().map(|c| if (c as u32) < 256 && !c.is_control() { c as u8 } else { b'?' }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_documents_flow_onto_more_pages() {
        let mut doc = TextDocument::new("Long");
        for i in 0..200 {
            doc.paragraph(&format!("Paragraph {i}"));
        }
        let pdf = doc.finish();
        let text = String::from_utf8_lossy(&pdf);
        // 44 lines of 10pt (13.5pt leading + 3pt spacing) fit between the margins of an A4 page.
        assert!(text.contains("/Count 5"), "200 lines need five A4 pages");
    }

    #[test]
    fn characters_outside_latin_1_are_replaced() {
        assert_eq!(win_ansi("Zoë → Ω"), b"Zo\xeb ? ?".to_vec());
    }
}
