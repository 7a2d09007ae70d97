//! A compact S-expression form of the AST, so that parser tests can state the
//! expected tree as one short line: `1 + 2 * 3` prints as `(+ 1 (* 2 3))`.

use kiln_syntax::ast::*;

pub fn module(m: &Module) -> String {
    m.items.iter().map(item).collect::<Vec<_>>().join("\n")
}

pub fn item(i: &Item) -> String {
    match &i.kind {
        ItemKind::Fn(f) => func(f),
        ItemKind::ExternFn(sig) => format!("(extern {})", fn_sig(sig)),
        ItemKind::Struct(s) => format!(
            "(struct {}{} {})",
            s.name.name,
            generics(&s.generics),
            fields(&s.fields)
        ),
        ItemKind::Enum(e) => {
            let variants: Vec<String> = e.variants.iter().map(variant).collect();
            format!(
                "(enum {}{} {})",
                e.name.name,
                generics(&e.generics),
                variants.join(" ")
            )
        }
        ItemKind::Impl(imp) => {
            let methods: Vec<String> = imp.methods.iter().map(func).collect();
            format!(
                "(impl{} {} {})",
                generics(&imp.generics),
                ty(&imp.target),
                methods.join(" ")
            )
        }
        ItemKind::TypeAlias(a) => {
            format!(
                "(type {}{} {})",
                a.name.name,
                generics(&a.generics),
                ty(&a.ty)
            )
        }
        ItemKind::Import(name) => format!("(import {})", name.name),
        ItemKind::Test(t) => format!("(test {:?} {})", t.name, block(&t.body)),
        ItemKind::Stmt(s) => stmt(s),
    }
}

fn func(f: &FnDecl) -> String {
    format!("(fn {} {})", fn_sig(&f.sig), block(&f.body))
}

fn fn_sig(sig: &FnSig) -> String {
    let params: Vec<String> = sig.params.iter().map(param).collect();
    let ret = sig.ret.as_ref().map(|t| format!(" -> {}", ty(t)));
    format!(
        "{}{}({}){}",
        sig.name.name,
        generics(&sig.generics),
        params.join(", "),
        ret.unwrap_or_default()
    )
}

fn param(p: &Param) -> String {
    match (&p.ty, p.is_self) {
        (_, true) => "self".to_string(),
        (Some(t), _) => format!("{}: {}", p.name.name, ty(t)),
        (None, _) => p.name.name.clone(),
    }
}

fn generics(names: &[Ident]) -> String {
    if names.is_empty() {
        return String::new();
    }
    let names: Vec<&str> = names.iter().map(|n| n.name.as_str()).collect();
    format!("<{}>", names.join(", "))
}

fn fields(fs: &[Field]) -> String {
    let fs: Vec<String> = fs
        .iter()
        .map(|f| format!("{}: {}", f.name.name, ty(&f.ty)))
        .collect();
    format!("{{{}}}", fs.join(", "))
}

fn variant(v: &Variant) -> String {
    match &v.payload {
        VariantPayload::Unit => v.name.name.clone(),
        VariantPayload::Tuple(ts) => {
            let ts: Vec<String> = ts.iter().map(ty).collect();
            format!("{}({})", v.name.name, ts.join(", "))
        }
        VariantPayload::Labelled(fs) => format!("{}{}", v.name.name, fields(fs)),
    }
}

pub fn block(b: &Block) -> String {
    let stmts: Vec<String> = b.stmts.iter().map(stmt).collect();
    format!("{{{}}}", stmts.join("; "))
}

pub fn stmt(s: &Stmt) -> String {
    match &s.kind {
        StmtKind::Let {
            mutable,
            pattern: p,
            ty: t,
            init,
        } => {
            let kw = if *mutable { "var" } else { "let" };
            let t = t.as_ref().map(|t| format!(": {}", ty(t)));
            format!(
                "({kw} {}{} = {})",
                pattern(p),
                t.unwrap_or_default(),
                expr(init)
            )
        }
        StmtKind::Expr(e) => expr(e),
        StmtKind::Item(i) => item(i),
    }
}

fn list(es: &[Expr]) -> String {
    es.iter().map(expr).collect::<Vec<_>>().join(" ")
}

fn args(args: &[Arg]) -> String {
    let args: Vec<String> = args
        .iter()
        .map(|a| match &a.label {
            Some(l) => format!("{}: {}", l.name, expr(&a.value)),
            None => expr(&a.value),
        })
        .collect();
    args.join(" ")
}

fn opt(e: &Option<Box<Expr>>) -> String {
    e.as_ref().map_or("_".to_string(), |e| expr(e))
}

fn cond(c: &Condition) -> String {
    match c {
        Condition::Expr(e) => expr(e),
        Condition::Let { pattern: p, value } => format!("(let {} {})", pattern(p), expr(value)),
    }
}

pub fn expr(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Int(v) => v.to_string(),
        ExprKind::Float(v) => format!("{v:?}"),
        ExprKind::Bool(b) => b.to_string(),
        ExprKind::Char(c) => format!("{c:?}"),
        ExprKind::Str(parts) => string(parts),
        ExprKind::Unit => "()".to_string(),
        ExprKind::Name(n) => n.name.clone(),
        ExprKind::Tuple(es) => format!("(tuple {})", list(es)),
        ExprKind::Array(es) => format!("[{}]", list(es)),
        ExprKind::ArrayRepeat { value, count } => format!("[{}; {}]", expr(value), expr(count)),
        ExprKind::Map(entries) => {
            let es: Vec<String> = entries
                .iter()
                .map(|(k, v)| format!("{}: {}", expr(k), expr(v)))
                .collect();
            format!("[map {}]", es.join(", "))
        }
        ExprKind::Unary { op, operand } => {
            let op = match op {
                UnaryOp::Neg => "-",
                UnaryOp::Not => "!",
                UnaryOp::BitNot => "~",
            };
            format!("({op} {})", expr(operand))
        }
        ExprKind::Binary { op, lhs, rhs } => {
            format!("({} {} {})", op.as_str(), expr(lhs), expr(rhs))
        }
        ExprKind::Assign { op, target, value } => {
            let op = op.map_or("".to_string(), |o| o.as_str().to_string());
            format!("({op}= {} {})", expr(target), expr(value))
        }
        ExprKind::Range { lo, hi, inclusive } => {
            let op = if *inclusive { "..=" } else { ".." };
            format!("({op} {} {})", opt(lo), opt(hi))
        }
        ExprKind::Cast { value, ty: t } => format!("(as {} {})", expr(value), ty(t)),
        ExprKind::Call { callee, args: a } => {
            format!("(call {} {})", expr(callee), args(a)).replace(" )", ")")
        }
        ExprKind::MethodCall {
            receiver,
            method,
            args: a,
        } => format!("(.{} {} {})", method.name, expr(receiver), args(a)).replace(" )", ")"),
        ExprKind::Field { base, name } => format!("(. {} {})", expr(base), name.name),
        ExprKind::TupleField { base, index, .. } => format!("(. {} {index})", expr(base)),
        ExprKind::Index { base, index } => format!("(index {} {})", expr(base), expr(index)),
        ExprKind::Try(e) => format!("(? {})", expr(e)),
        ExprKind::Block(b) => block(b),
        // A chain prints as nested `if`s, as `else if` reads.
        ExprKind::If {
            branches,
            otherwise,
        } => {
            let mut out = otherwise.as_ref().map(block);
            for b in branches.iter().rev() {
                out = Some(match out {
                    Some(o) => format!("(if {} {} {o})", cond(&b.cond), block(&b.then)),
                    None => format!("(if {} {})", cond(&b.cond), block(&b.then)),
                });
            }
            out.unwrap_or_default()
        }
        ExprKind::While { cond: c, body } => format!("(while {} {})", cond(c), block(body)),
        ExprKind::Loop(b) => format!("(loop {})", block(b)),
        ExprKind::For {
            pattern: p,
            iter,
            body,
        } => format!("(for {} {} {})", pattern(p), expr(iter), block(body)),
        ExprKind::Match { scrutinee, arms } => {
            let arms: Vec<String> = arms.iter().map(arm).collect();
            format!("(match {} {})", expr(scrutinee), arms.join(" "))
        }
        ExprKind::Closure { params, ret, body } => {
            let params: Vec<String> = params.iter().map(param).collect();
            let ret = ret.as_ref().map(|t| format!(" -> {}", ty(t)));
            format!(
                "(|{}|{} {})",
                params.join(", "),
                ret.unwrap_or_default(),
                expr(body)
            )
        }
        ExprKind::Break(v) => format!("(break {})", opt(v)),
        ExprKind::Continue => "continue".to_string(),
        ExprKind::Return(v) => format!("(return {})", opt(v)),
        ExprKind::Yield(v) => format!("(yield {})", opt(v)),
        ExprKind::Error => "<error>".to_string(),
    }
}

fn string(parts: &[StrPart]) -> String {
    let mut out = String::from("\"");
    for part in parts {
        match part {
            StrPart::Text(t) => out.push_str(&t.escape_debug().to_string()),
            StrPart::Interp { expr: e, spec, .. } => {
                out.push('{');
                out.push_str(&expr(e));
                if let Some(spec) = spec {
                    out.push(':');
                    out.push_str(spec);
                }
                out.push('}');
            }
        }
    }
    out.push('"');
    out
}

fn arm(a: &MatchArm) -> String {
    let guard = a.guard.as_ref().map(|g| format!(" if {}", expr(g)));
    format!(
        "({}{} => {})",
        pattern(&a.pattern),
        guard.unwrap_or_default(),
        expr(&a.body)
    )
}

pub fn ty(t: &TypeExpr) -> String {
    match &t.kind {
        TypeKind::Named { name, args } if args.is_empty() => name.name.clone(),
        TypeKind::Named { name, args } => {
            let args: Vec<String> = args.iter().map(ty).collect();
            format!("{}<{}>", name.name, args.join(", "))
        }
        TypeKind::Array(e) => format!("[{}]", ty(e)),
        TypeKind::Map(k, v) => format!("[{}: {}]", ty(k), ty(v)),
        TypeKind::Tuple(ts) => {
            let ts: Vec<String> = ts.iter().map(ty).collect();
            format!("({})", ts.join(", "))
        }
        TypeKind::Fn { params, ret } => {
            let ps: Vec<String> = params.iter().map(ty).collect();
            let ret = ret.as_ref().map(|t| format!(" -> {}", ty(t)));
            format!("fn({}){}", ps.join(", "), ret.unwrap_or_default())
        }
        TypeKind::Optional(t) => format!("{}?", ty(t)),
        TypeKind::Error => "<error>".to_string(),
    }
}

fn lit(l: &PatLit) -> String {
    match l {
        PatLit::Int {
            negative,
            magnitude,
        } => format!("{}{magnitude}", if *negative { "-" } else { "" }),
        PatLit::Float(v) => format!("{v:?}"),
        PatLit::Bool(b) => b.to_string(),
        PatLit::Char(c) => format!("{c:?}"),
        PatLit::Str(s) => format!("{s:?}"),
    }
}

pub fn pattern(p: &Pattern) -> String {
    match &p.kind {
        PatternKind::Wildcard => "_".to_string(),
        PatternKind::Binding(n) => n.name.clone(),
        PatternKind::Literal(l) => lit(l),
        PatternKind::Range { lo, hi, inclusive } => {
            let op = if *inclusive { "..=" } else { ".." };
            format!("{}{op}{}", lit(lo), lit(hi))
        }
        PatternKind::Tuple(ps) => {
            let ps: Vec<String> = ps.iter().map(pattern).collect();
            format!("({})", ps.join(", "))
        }
        PatternKind::Ctor { path, fields } => {
            let path: Vec<&str> = path.iter().map(|n| n.name.as_str()).collect();
            let fields = fields.as_ref().map(|fs| {
                let fs: Vec<String> = fs
                    .iter()
                    .map(|f| match &f.label {
                        Some(l) => format!("{}: {}", l.name, pattern(&f.pattern)),
                        None => pattern(&f.pattern),
                    })
                    .collect();
                format!("({})", fs.join(", "))
            });
            format!("{}{}", path.join("."), fields.unwrap_or_default())
        }
        PatternKind::Or(ps) => {
            let ps: Vec<String> = ps.iter().map(pattern).collect();
            format!("[{}]", ps.join(" | "))
        }
        PatternKind::Error => "<error>".to_string(),
    }
}
