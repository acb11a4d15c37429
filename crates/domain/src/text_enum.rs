//! Enums stored and sent as fixed lower-case words: `as_str`, `parse` (with a typed error),
//! `ALL` and `Display`, written once for every such enum in this crate.

macro_rules! text_enum {
    ($name:ident, $what:literal, { $($variant:ident => $text:literal),+ $(,)? }) => {
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable text stored in the database and sent over the wire.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(text: &str) -> Result<Self, $crate::ParseError> {
                match text { $($text => Ok($name::$variant),)+ _ => Err($crate::ParseError::Unknown { what: $what, value: text.to_owned() }) }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
