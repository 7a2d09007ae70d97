pub mod sexpr;
