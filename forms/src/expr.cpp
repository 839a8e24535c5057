#include "forms/expr.hpp"

#include "core/strings.hpp"
#include "odk_functions.hpp"
#include "re2_bridge.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <limits>

namespace carnet::forms {

namespace {

// ---------------------------------------------------------------- lexer

enum class Tok {
    End,
    Number,
    String,
    Ref,
    Dot,
    DotDot,
    Name,
    LParen,
    RParen,
    Comma,
    Plus,
    Minus,
    Star,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Slash,    // only in paths: instance('id')/root/item, current()/../x, ../x, /data/x
    LBracket, // a path's predicate
    RBracket
};

struct Token {
    Tok kind = Tok::End;
    std::string text;
    double number = 0;
    int column = 1;
};

// Every node of a parsed tree comes from one token, so this also bounds the tree's height: a long
// operator chain ("1+1+...") nests as deep as it is long, and evaluation recurses that deep.
constexpr std::size_t kMaxTokens = 4000;

bool isNameStart(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool isNameChar(char c) {
    return isNameStart(c) || (c >= '0' && c <= '9') || c == '.';
}

class Lexer {
public:
    Lexer(std::string_view text, ExprError& error)
        : m_text(text)
        , m_error(error) {}

    bool run(std::vector<Token>& out) {
        std::size_t i = 0;
        while (true) {
            while (i < m_text.size() &&
                   (m_text[i] == ' ' || m_text[i] == '\t' || m_text[i] == '\n' || m_text[i] == '\r'))
                ++i;
            Token t;
            t.column = static_cast<int>(i) + 1;
            if (i >= m_text.size()) {
                t.kind = Tok::End;
                out.push_back(t);
                return true;
            }
            const char c = m_text[i];
            if (c >= '0' && c <= '9') {
                std::size_t j = i;
                while (j < m_text.size() && m_text[j] >= '0' && m_text[j] <= '9')
                    ++j;
                if (j < m_text.size() && m_text[j] == '.') {
                    ++j;
                    while (j < m_text.size() && m_text[j] >= '0' && m_text[j] <= '9')
                        ++j;
                }
                t.kind = Tok::Number;
                t.text = std::string(m_text.substr(i, j - i));
                (void)parseDecimal(t.text, t.number);
                i = j;
            } else if (c == '.' && i + 1 < m_text.size() && m_text[i + 1] >= '0' && m_text[i + 1] <= '9') {
                std::size_t j = i + 1;
                while (j < m_text.size() && m_text[j] >= '0' && m_text[j] <= '9')
                    ++j;
                t.kind = Tok::Number;
                t.text = "0" + std::string(m_text.substr(i, j - i));
                (void)parseDecimal(t.text, t.number);
                i = j;
            } else if (c == '.') {
                if (i + 1 < m_text.size() && m_text[i + 1] == '.') {
                    t.kind = Tok::DotDot;
                    i += 2;
                } else {
                    t.kind = Tok::Dot;
                    ++i;
                }
            } else if (c == '\'' || c == '"') {
                const std::size_t close = m_text.find(c, i + 1);
                if (close == std::string_view::npos) return fail("expr.unterminated_string", "", t.column);
                t.kind = Tok::String;
                t.text = std::string(m_text.substr(i + 1, close - i - 1));
                i = close + 1;
            } else if (c == '$') {
                if (i + 1 >= m_text.size() || m_text[i + 1] != '{') return fail("expr.unexpected_char", "$", t.column);
                const std::size_t close = m_text.find('}', i + 2);
                if (close == std::string_view::npos) return fail("expr.unterminated_ref", "", t.column);
                t.kind = Tok::Ref;
                t.text = std::string(trim(m_text.substr(i + 2, close - i - 2)));
                i = close + 1;
            } else if (isNameStart(c)) {
                std::size_t j = i;
                while (j < m_text.size()) {
                    if (isNameChar(m_text[j])) {
                        ++j;
                    } else if ((m_text[j] == '-' || m_text[j] == ':') && j + 1 < m_text.size() &&
                               isNameStart(m_text[j + 1])) {
                        ++j; // count-selected, starts-with, jr:choice-name
                    } else {
                        break;
                    }
                }
                t.kind = Tok::Name;
                t.text = std::string(m_text.substr(i, j - i));
                i = j;
            } else {
                ++i;
                switch (c) {
                case '(':
                    t.kind = Tok::LParen;
                    break;
                case ')':
                    t.kind = Tok::RParen;
                    break;
                case ',':
                    t.kind = Tok::Comma;
                    break;
                case '+':
                    t.kind = Tok::Plus;
                    break;
                case '-':
                    t.kind = Tok::Minus;
                    break;
                case '*':
                    t.kind = Tok::Star;
                    break;
                case '/':
                    t.kind = Tok::Slash;
                    break;
                case '[':
                    t.kind = Tok::LBracket;
                    break;
                case ']':
                    t.kind = Tok::RBracket;
                    break;
                case '=':
                    t.kind = Tok::Eq;
                    break;
                case '!':
                    if (i < m_text.size() && m_text[i] == '=') {
                        t.kind = Tok::Ne;
                        ++i;
                    } else {
                        return fail("expr.unexpected_char", "!", t.column);
                    }
                    break;
                case '<':
                    t.kind = Tok::Lt;
                    if (i < m_text.size() && m_text[i] == '=') t.kind = Tok::Le, ++i;
                    break;
                case '>':
                    t.kind = Tok::Gt;
                    if (i < m_text.size() && m_text[i] == '=') t.kind = Tok::Ge, ++i;
                    break;
                default: {
                    // Report the whole UTF-8 sequence, not a broken byte.
                    std::size_t len = 1;
                    const auto uc = static_cast<unsigned char>(c);
                    if (uc >= 0xF0)
                        len = 4;
                    else if (uc >= 0xE0)
                        len = 3;
                    else if (uc >= 0xC0)
                        len = 2;
                    return fail("expr.unexpected_char", std::string(m_text.substr(i - 1, len)), t.column);
                }
                }
            }
            out.push_back(std::move(t));
            if (out.size() > kMaxTokens) return fail("expr.too_long", std::to_string(kMaxTokens), out.back().column);
        }
    }

private:
    bool fail(const char* key, std::string arg, int column) {
        m_error = ExprError{key, std::move(arg), {}, column};
        return false;
    }
    std::string_view m_text;
    ExprError& m_error;
};

// ---------------------------------------------------------------- parser

struct FuncInfo {
    std::string_view name;
    Func func;
    int minArgs, maxArgs; // maxArgs -1 = any
    std::string_view arity;
};

constexpr std::array kFuncs{
    FuncInfo{"abs", Func::Abs, 1, 1, "1"},
    FuncInfo{"acos", Func::Acos, 1, 1, "1"},
    FuncInfo{"area", Func::Area, 1, 1, "1"},
    FuncInfo{"asin", Func::Asin, 1, 1, "1"},
    FuncInfo{"atan", Func::Atan, 1, 1, "1"},
    FuncInfo{"atan2", Func::Atan2, 2, 2, "2"},
    FuncInfo{"base64-decode", Func::Base64Decode, 1, 1, "1"},
    FuncInfo{"boolean", Func::Boolean, 1, 1, "1"},
    FuncInfo{"boolean-from-string", Func::BooleanFromString, 1, 1, "1"},
    FuncInfo{"carnet:property", Func::Property, 1, 1, "1"},
    FuncInfo{"ceiling", Func::Ceiling, 1, 1, "1"},
    FuncInfo{"checklist", Func::Checklist, 2, -1, "2+"},
    FuncInfo{"coalesce", Func::Coalesce, 2, -1, "2+"},
    FuncInfo{"concat", Func::Concat, 0, -1, "0+"},
    FuncInfo{"contains", Func::Contains, 2, 2, "2"},
    FuncInfo{"cos", Func::Cos, 1, 1, "1"},
    FuncInfo{"count", Func::Count, 1, 1, "1"},
    FuncInfo{"count-non-empty", Func::CountNonEmpty, 1, 1, "1"},
    FuncInfo{"count-selected", Func::CountSelected, 1, 1, "1"},
    FuncInfo{"date", Func::Date, 1, 1, "1"},
    FuncInfo{"decimal-date-time", Func::DecimalDateTime, 1, 1, "1"},
    FuncInfo{"decimal-time", Func::DecimalTime, 1, 1, "1"},
    FuncInfo{"digest", Func::Digest, 2, 3, "2-3"},
    FuncInfo{"distance", Func::Distance, 1, -1, "1+"},
    FuncInfo{"enclosed-area", Func::Area, 1, 1, "1"}, // area()'s older name, still in ODK forms
    FuncInfo{"ends-with", Func::EndsWith, 2, 2, "2"},
    FuncInfo{"exp", Func::Exp, 1, 1, "1"},
    FuncInfo{"extract-signed", Func::ExtractSigned, 2, 2, "2"},
    FuncInfo{"exp10", Func::Exp10, 1, 1, "1"},
    FuncInfo{"false", Func::False, 0, 0, "0"},
    FuncInfo{"floor", Func::Floor, 1, 1, "1"},
    FuncInfo{"format-date", Func::FormatDate, 2, 2, "2"},
    FuncInfo{"format-date-time", Func::FormatDate, 2, 2, "2"},
    FuncInfo{"if", Func::If, 3, 3, "3"},
    FuncInfo{"indexed-repeat", Func::IndexedRepeat, 3, 7, "3, 5, 7"},
    FuncInfo{"instance", Func::Instance, 1, 1, "1"},
    FuncInfo{"int", Func::Int, 1, 1, "1"},
    FuncInfo{"jr:choice-name", Func::ChoiceName, 2, 2, "2"},
    FuncInfo{"jr:itext", Func::Itext, 1, 1, "1"},
    FuncInfo{"join", Func::Join, 2, -1, "2+"},
    FuncInfo{"last", Func::Last, 0, 0, "0"},
    FuncInfo{"log", Func::Log, 1, 1, "1"},
    FuncInfo{"log10", Func::Log10, 1, 1, "1"},
    FuncInfo{"max", Func::Max, 1, -1, "1+"},
    FuncInfo{"min", Func::Min, 1, -1, "1+"},
    FuncInfo{"normalize-space", Func::NormalizeSpace, 0, 1, "0-1"},
    FuncInfo{"not", Func::Not, 1, 1, "1"},
    FuncInfo{"now", Func::Now, 0, 0, "0"},
    FuncInfo{"number", Func::Number, 1, 1, "1"},
    FuncInfo{"once", Func::Once, 1, 1, "1"},
    FuncInfo{"pi", Func::Pi, 0, 0, "0"},
    FuncInfo{"position", Func::Position, 0, 1, "0-1"},
    FuncInfo{"pow", Func::Pow, 2, 2, "2"},
    FuncInfo{"pulldata", Func::Pulldata, 4, 4, "4"},
    FuncInfo{"random", Func::Random, 0, 0, "0"},
    FuncInfo{"randomize", Func::Randomize, 1, 2, "1-2"},
    FuncInfo{"regex", Func::Regex, 2, 2, "2"},
    FuncInfo{"round", Func::Round, 1, 2, "1-2"},
    FuncInfo{"selected", Func::Selected, 2, 2, "2"},
    FuncInfo{"selected-at", Func::SelectedAt, 2, 2, "2"},
    FuncInfo{"sin", Func::Sin, 1, 1, "1"},
    FuncInfo{"sqrt", Func::Sqrt, 1, 1, "1"},
    FuncInfo{"starts-with", Func::StartsWith, 2, 2, "2"},
    FuncInfo{"string", Func::String, 1, 1, "1"},
    FuncInfo{"string-length", Func::StringLength, 0, 1, "0-1"},
    FuncInfo{"substr", Func::Substr, 2, 3, "2-3"},
    FuncInfo{"substring", Func::Substring, 2, 3, "2-3"},
    FuncInfo{"substring-after", Func::SubstringAfter, 2, 2, "2"},
    FuncInfo{"substring-before", Func::SubstringBefore, 2, 2, "2"},
    FuncInfo{"sum", Func::Sum, 1, 1, "1"},
    FuncInfo{"tan", Func::Tan, 1, 1, "1"},
    FuncInfo{"today", Func::Today, 0, 0, "0"},
    FuncInfo{"translate", Func::Translate, 3, 3, "3"},
    FuncInfo{"true", Func::True, 0, 0, "0"},
    FuncInfo{"uuid", Func::Uuid, 0, 1, "0-1"},
    FuncInfo{"weighted-checklist", Func::WeightedChecklist, 2, -1, "2, 4, 6…"},
};

const FuncInfo* findFunc(std::string_view name) {
    for (const auto& f : kFuncs)
        if (f.name == name) return &f;
    return nullptr;
}

constexpr int kMaxDepth = 200; // deeper nesting is refused rather than risking the stack

class Parser {
public:
    Parser(std::vector<Token> toks, const ParseOptions& opts, ExprError& error)
        : m_toks(std::move(toks))
        , m_opts(opts)
        , m_error(error) {}

    std::unique_ptr<Expr> parse() {
        if (peek().kind == Tok::End) return fail("expr.empty", "", peek().column);
        auto e = parseOr();
        if (!e) return nullptr;
        if (peek().kind != Tok::End) return unexpected(peek());
        return e;
    }

private:
    const Token& peek() const { return m_toks[m_pos]; }
    const Token& next() { return m_toks[m_pos < m_toks.size() - 1 ? m_pos++ : m_pos]; }
    bool isKeyword(std::string_view word) const { return peek().kind == Tok::Name && peek().text == word; }

    std::unique_ptr<Expr> fail(const char* key, std::string arg, int column) {
        if (m_error.key.empty()) m_error = ExprError{key, std::move(arg), {}, column};
        return nullptr;
    }
    std::unique_ptr<Expr> unexpected(const Token& t) {
        if (t.kind == Tok::End) return fail("expr.unexpected_end", "", t.column);
        // '/', '[' and ']' only make sense in a path: elsewhere they are characters out of place
        // ("1 / 2": write div).
        if (t.kind == Tok::Slash) return fail("expr.unexpected_char", "/", t.column);
        if (t.kind == Tok::LBracket) return fail("expr.unexpected_char", "[", t.column);
        if (t.kind == Tok::RBracket) return fail("expr.unexpected_char", "]", t.column);
        std::string text = t.text;
        switch (t.kind) {
        case Tok::RParen:
            text = ")";
            break;
        case Tok::LParen:
            text = "(";
            break;
        case Tok::Comma:
            text = ",";
            break;
        case Tok::Plus:
            text = "+";
            break;
        case Tok::Minus:
            text = "-";
            break;
        case Tok::Star:
            text = "*";
            break;
        case Tok::Eq:
            text = "=";
            break;
        case Tok::Ne:
            text = "!=";
            break;
        case Tok::Lt:
            text = "<";
            break;
        case Tok::Le:
            text = "<=";
            break;
        case Tok::Gt:
            text = ">";
            break;
        case Tok::Ge:
            text = ">=";
            break;
        case Tok::Dot:
            text = ".";
            break;
        case Tok::DotDot:
            text = "..";
            break;
        case Tok::String:
            text = "'" + t.text + "'";
            break;
        case Tok::Ref:
            text = "${" + t.text + "}";
            break;
        default:
            break;
        }
        return fail("expr.unexpected_token", text, t.column);
    }

    static std::unique_ptr<Expr> binary(Op op, std::unique_ptr<Expr> l, std::unique_ptr<Expr> r, int column) {
        auto e = std::make_unique<Expr>();
        e->kind = Expr::Kind::Binary;
        e->op = op;
        e->column = column;
        e->args.push_back(std::move(l));
        e->args.push_back(std::move(r));
        return e;
    }

    struct DepthGuard {
        int& d;
        explicit DepthGuard(int& depth)
            : d(depth) {
            ++d;
        }
        ~DepthGuard() { --d; }
        DepthGuard(const DepthGuard&) = delete;
        DepthGuard& operator=(const DepthGuard&) = delete;
    };

    std::unique_ptr<Expr> parseOr() {
        DepthGuard g(m_depth);
        if (m_depth > kMaxDepth) return fail("expr.unexpected_token", "(", peek().column);
        auto l = parseAnd();
        while (l && isKeyword("or")) {
            const int col = next().column;
            auto r = parseAnd();
            if (!r) return nullptr;
            l = binary(Op::Or, std::move(l), std::move(r), col);
        }
        return l;
    }
    std::unique_ptr<Expr> parseAnd() {
        auto l = parseEquality();
        while (l && isKeyword("and")) {
            const int col = next().column;
            auto r = parseEquality();
            if (!r) return nullptr;
            l = binary(Op::And, std::move(l), std::move(r), col);
        }
        return l;
    }
    std::unique_ptr<Expr> parseEquality() {
        auto l = parseRelational();
        while (l && (peek().kind == Tok::Eq || peek().kind == Tok::Ne)) {
            const Token& t = next();
            const Op op = t.kind == Tok::Eq ? Op::Eq : Op::Ne;
            auto r = parseRelational();
            if (!r) return nullptr;
            l = binary(op, std::move(l), std::move(r), t.column);
        }
        return l;
    }
    std::unique_ptr<Expr> parseRelational() {
        auto l = parseAdditive();
        while (l &&
               (peek().kind == Tok::Lt || peek().kind == Tok::Le || peek().kind == Tok::Gt || peek().kind == Tok::Ge)) {
            const Token& t = next();
            const Op op = t.kind == Tok::Lt ? Op::Lt : t.kind == Tok::Le ? Op::Le : t.kind == Tok::Gt ? Op::Gt : Op::Ge;
            auto r = parseAdditive();
            if (!r) return nullptr;
            l = binary(op, std::move(l), std::move(r), t.column);
        }
        return l;
    }
    std::unique_ptr<Expr> parseAdditive() {
        auto l = parseMultiplicative();
        while (l && (peek().kind == Tok::Plus || peek().kind == Tok::Minus)) {
            const Token& t = next();
            const Op op = t.kind == Tok::Plus ? Op::Add : Op::Sub;
            auto r = parseMultiplicative();
            if (!r) return nullptr;
            l = binary(op, std::move(l), std::move(r), t.column);
        }
        return l;
    }
    std::unique_ptr<Expr> parseMultiplicative() {
        auto l = parseUnary();
        while (l && (peek().kind == Tok::Star || isKeyword("div") || isKeyword("mod"))) {
            const Token& t = next();
            const Op op = t.kind == Tok::Star ? Op::Mul : t.text == "div" ? Op::Div : Op::Mod;
            auto r = parseUnary();
            if (!r) return nullptr;
            l = binary(op, std::move(l), std::move(r), t.column);
        }
        return l;
    }
    std::unique_ptr<Expr> parseUnary() {
        if (peek().kind == Tok::Minus) {
            DepthGuard g(m_depth);
            if (m_depth > kMaxDepth) return fail("expr.unexpected_token", "-", peek().column);
            const int col = next().column;
            auto operand = parseUnary();
            if (!operand) return nullptr;
            auto e = std::make_unique<Expr>();
            e->kind = Expr::Kind::Unary;
            e->op = Op::Neg;
            e->column = col;
            e->args.push_back(std::move(operand));
            return e;
        }
        return parsePrimary();
    }
    std::unique_ptr<Expr> parsePrimary() {
        const Token& t = peek();
        auto e = std::make_unique<Expr>();
        e->column = t.column;
        switch (t.kind) {
        case Tok::Number:
            e->kind = Expr::Kind::Literal;
            e->literal = Value::number(t.number);
            next();
            return e;
        case Tok::String:
            e->kind = Expr::Kind::Literal;
            e->literal = Value::string(t.text);
            next();
            return e;
        case Tok::Ref:
            if (t.text.empty() || !isNameStart(t.text[0]))
                return fail("expr.unexpected_token", "${" + t.text + "}", t.column);
            e->kind = Expr::Kind::Ref;
            e->name = t.text;
            next();
            return e;
        case Tok::Dot:
            // Inside instance('id')/root/item[...], `.` would be the item: ODK forms say current() for
            // the question, and so must Carnet's.
            if (m_predicate > 0) return fail("expr.expected", "current()", t.column);
            e->kind = Expr::Kind::Self;
            next();
            return e;
        case Tok::DotDot:
            if (m_toks[m_pos + 1].kind == Tok::Slash) return parseRelativePath(t.column, true);
            return fail("expr.parent_only_in_position", "", t.column);
        case Tok::Slash:
            return parseRelativePath(t.column, false);
        case Tok::LParen: {
            next();
            auto inner = parseOr();
            if (!inner) return nullptr;
            if (peek().kind != Tok::RParen) return expected(")");
            next();
            return inner;
        }
        case Tok::Name:
            return parseName();
        default:
            return unexpected(t);
        }
    }
    std::unique_ptr<Expr> expected(const char* what) {
        if (peek().kind == Tok::End) return fail("expr.expected", what, peek().column);
        return fail("expr.expected", what, peek().column);
    }
    std::unique_ptr<Expr> parseName() {
        const Token t = next();
        if (peek().kind != Tok::LParen) {
            if ((m_opts.allowChoiceColumns || m_predicate > 0) && t.text != "and" && t.text != "or" &&
                t.text != "div" && t.text != "mod") {
                auto e = std::make_unique<Expr>();
                e->kind = Expr::Kind::ChoiceColumn;
                e->name = t.text;
                e->column = t.column;
                return e;
            }
            if (t.text == "and" || t.text == "or" || t.text == "div" || t.text == "mod") return unexpected(t);
            return fail("expr.bare_name", t.text, t.column);
        }
        if (t.text == "current") return parseCurrent(t.column);
        const FuncInfo* info = findFunc(t.text);
        if (!info) return fail("expr.unknown_function", t.text, t.column);
        next(); // (
        auto e = std::make_unique<Expr>();
        e->kind = Expr::Kind::Call;
        e->func = info->func;
        e->column = t.column;
        if (peek().kind != Tok::RParen) {
            while (true) {
                if (info->func == Func::Position && peek().kind == Tok::DotDot) {
                    auto p = std::make_unique<Expr>();
                    p->kind = Expr::Kind::Parent;
                    p->column = next().column;
                    e->args.push_back(std::move(p));
                } else {
                    auto a = parseOr();
                    if (!a) return nullptr;
                    e->args.push_back(std::move(a));
                }
                if (peek().kind == Tok::Comma) {
                    next();
                    continue;
                }
                break;
            }
        }
        if (peek().kind != Tok::RParen) return expected(")");
        next();
        const auto n = static_cast<int>(e->args.size());
        if (n < info->minArgs || (info->maxArgs >= 0 && n > info->maxArgs)) {
            m_error = ExprError{"expr.arity", std::string(info->name), std::string(info->arity), t.column};
            return nullptr;
        }
        if (info->func == Func::Position && n == 1 && e->args[0]->kind != Expr::Kind::Parent)
            return fail("expr.expected", "..", e->args[0]->column);
        // In a predicate, position() is the item's; position(..) (the repeat instance's) is not written there.
        if (info->func == Func::Position && n == 1 && m_predicate > 0)
            return fail("expr.expected", "position()", e->args[0]->column);
        if (info->func == Func::Instance) return parseInstancePath(std::move(e));
        // indexed-repeat(${field}, ${repeat}, n, ...) and weighted-checklist(min, max, v, w, ...) take pairs.
        if ((info->func == Func::IndexedRepeat && n % 2 == 0) ||
            (info->func == Func::WeightedChecklist && n % 2 != 0)) {
            m_error = ExprError{"expr.arity", std::string(info->name), std::string(info->arity), t.column};
            return nullptr;
        }
        if (info->func == Func::IndexedRepeat)
            for (int k = 0; k < n; k = k == 0 ? 1 : k + 2)
                if (e->args[static_cast<std::size_t>(k)]->kind != Expr::Kind::Ref)
                    return fail("expr.expected", "${…}", e->args[static_cast<std::size_t>(k)]->column);
        if (info->func == Func::ChoiceName && e->args[1]->kind != Expr::Kind::Literal)
            return fail("expr.expected", "'${…}'", e->args[1]->column);
        return e;
    }

    // current(): the question the expression belongs to, as `.` outside predicates; current()/../x (what
    // pyxform writes for ${x} inside a predicate) names the question x.
    std::unique_ptr<Expr> parseCurrent(int column) {
        next(); // (
        if (peek().kind != Tok::RParen) return expected(")");
        next();
        if (peek().kind == Tok::Slash) return parseRelativePath(column, false, true);
        auto e = std::make_unique<Expr>();
        e->kind = Expr::Kind::Self;
        e->column = column;
        return e;
    }

    // A path to a question: ../x, ../../group/x, current()/../x, /data/group/x. Carnet's names are
    // unique in a form, so the path names the question by its last step (a Ref, bound like ${x}).
    // `fromParent`: the path starts with a `..` token not consumed yet; `afterCurrent`: current() is
    // consumed and a '/' follows.
    std::unique_ptr<Expr> parseRelativePath(int column, bool fromParent, bool afterCurrent = false) {
        if (fromParent) next(); // ..
        std::string last;
        bool parentAllowed = fromParent || afterCurrent;
        while (peek().kind == Tok::Slash) {
            next();
            if (peek().kind == Tok::DotDot && parentAllowed && last.empty()) {
                next();
                continue;
            }
            if (peek().kind != Tok::Name || !isNameStart(peek().text[0]) || m_toks[m_pos + 1].kind == Tok::LParen)
                return expected("/name");
            last = next().text;
            parentAllowed = false;
        }
        if (last.empty()) return expected("/name");
        auto e = std::make_unique<Expr>();
        e->kind = Expr::Kind::Ref;
        e->name = last;
        e->column = column;
        return e;
    }

    // instance('id')/root/item[pred]…[/column]: the items of a choice list (or media CSV file) the
    // predicates keep, or their `column`. Inside a predicate, a bare name is a column of the item.
    std::unique_ptr<Expr> parseInstancePath(std::unique_ptr<Expr> e) {
        // Each item of a predicate evaluates it: an instance() inside would read every item per item.
        if (m_predicate > 0) return fail("expr.instance_in_predicate", "", e->column);
        if (e->args[0]->kind != Expr::Kind::Literal || e->args[0]->literal.kind() != Value::Kind::String)
            return fail("expr.expected", "'…'", e->args[0]->column);
        e->name = e->args[0]->literal.toString();
        e->args.clear();
        e->literal = Value::string("");
        for (const char* step : {"root", "item"}) {
            if (peek().kind != Tok::Slash) return expected("/root/item");
            next();
            if (peek().kind != Tok::Name || peek().text != step) return expected("/root/item");
            next();
        }
        while (peek().kind == Tok::LBracket) {
            next();
            ++m_predicate;
            auto pred = parseOr();
            --m_predicate;
            if (!pred) return nullptr;
            if (peek().kind != Tok::RBracket) return expected("]");
            next();
            e->args.push_back(std::move(pred));
        }
        if (peek().kind == Tok::Slash) {
            next();
            if (peek().kind != Tok::Name || m_toks[m_pos + 1].kind == Tok::LParen) return expected("/name");
            e->literal = Value::string(next().text);
        }
        return e;
    }

    std::vector<Token> m_toks;
    std::size_t m_pos = 0;
    int m_depth = 0;
    int m_predicate = 0; // > 0 inside a path's [predicate]
    const ParseOptions& m_opts;
    ExprError& m_error;
};

// ---------------------------------------------------------------- evaluation

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

bool isNumericString(const Value& v) {
    double d = 0;
    return v.kind() == Value::Kind::String && parseDecimal(v.toString(), d);
}

double dateDays(const Value& v) {
    if (v.kind() == Value::Kind::Date || v.kind() == Value::Kind::Number) return v.toNumber();
    if (v.kind() == Value::Kind::String) {
        double d = 0;
        const std::string s = v.toString();
        if (parseIsoDate(s, d) || parseIsoDateTime(s, d)) return d;
        return v.toNumber();
    }
    return kNaN;
}

bool compareScalar(Op op, const Value& a, const Value& b) {
    using K = Value::Kind;
    if (op == Op::Eq || op == Op::Ne) {
        bool eq = false;
        if (a.kind() == K::Bool || b.kind() == K::Bool) {
            eq = a.toBool() == b.toBool();
        } else if (a.kind() == K::Date || b.kind() == K::Date) {
            if (a.isEmpty() || b.isEmpty()) {
                eq = a.toString() == b.toString();
            } else {
                eq = dateDays(a) == dateDays(b);
            }
        } else if (a.kind() == K::Number || b.kind() == K::Number) {
            eq = a.toNumber() == b.toNumber(); // NaN (empty) never equals
        } else {
            eq = a.toString() == b.toString();
        }
        return op == Op::Eq ? eq : !eq;
    }
    double x = 0, y = 0;
    if (a.kind() == K::Date || b.kind() == K::Date) {
        x = dateDays(a);
        y = dateDays(b);
    } else if (a.kind() == K::String && b.kind() == K::String && !a.isEmpty() && !b.isEmpty() && !isNumericString(a) &&
               !isNumericString(b)) {
        const int c = a.toString().compare(b.toString()); // times "08:30" < "17:00", ISO text
        switch (op) {
        case Op::Lt:
            return c < 0;
        case Op::Le:
            return c <= 0;
        case Op::Gt:
            return c > 0;
        default:
            return c >= 0;
        }
    } else {
        x = a.toNumber();
        y = b.toNumber();
    }
    switch (op) {
    case Op::Lt:
        return x < y;
    case Op::Le:
        return x <= y;
    case Op::Gt:
        return x > y;
    default:
        return x >= y;
    }
}

bool compare(Op op, const Value& a, const Value& b) {
    if (a.kind() == Value::Kind::List || b.kind() == Value::Kind::List) {
        for (const Value& x : a.items())
            for (const Value& y : b.items())
                if (compareScalar(op, x, y)) return true;
        return false;
    }
    return compareScalar(op, a, b);
}

std::vector<std::string> utf8Chars(const std::string& s) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < s.size();) {
        std::size_t len = 1;
        const auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0xF0)
            len = 4;
        else if (c >= 0xE0)
            len = 3;
        else if (c >= 0xC0)
            len = 2;
        len = std::min(len, s.size() - i);
        out.push_back(s.substr(i, len));
        i += len;
    }
    return out;
}

std::vector<Value> flatten(const Expr& e, const EvalContext& ctx) {
    std::vector<Value> out;
    for (const auto& a : e.args) {
        Value v = evaluate(*a, ctx);
        if (v.kind() == Value::Kind::List)
            for (const Value& x : v.listItems())
                out.push_back(x);
        else
            out.push_back(std::move(v));
    }
    return out;
}

Value minMax(const Expr& e, const EvalContext& ctx, bool isMax) {
    double best = kNaN;
    for (const Value& v : flatten(e, ctx)) {
        if (v.isEmpty()) continue;
        const double d = v.toNumber();
        if (std::isnan(d)) return Value::number(kNaN);
        if (std::isnan(best) || (isMax ? d > best : d < best)) best = d;
    }
    return Value::number(best);
}

// ODK geo values: "lat lon [alt acc]" points separated by ';'. Empty when a point does not parse.
std::vector<std::pair<double, double>> geoPoints(const std::string& text) {
    std::vector<std::pair<double, double>> out;
    std::size_t start = 0;
    while (start <= text.size()) {
        const auto semi = text.find(';', start);
        const std::string part = text.substr(start, semi == std::string::npos ? std::string::npos : semi - start);
        const auto words = splitWhitespace(part);
        if (!words.empty()) {
            double lat = 0, lon = 0;
            if (words.size() < 2 || !parseDecimal(words[0], lat) || !parseDecimal(words[1], lon)) return {};
            out.emplace_back(lat, lon);
        }
        if (semi == std::string::npos) break;
        start = semi + 1;
    }
    return out;
}

constexpr double kEarthRadius = 6378100.0; // metres, as JavaRosa's GeoUtils
constexpr double kPi = 3.14159265358979323846;

double toRadians(double deg) {
    return deg * kPi / 180.0;
}

// Great-circle length of the line through the points, in metres (haversine).
double geoDistance(const std::vector<std::pair<double, double>>& pts) {
    double total = 0;
    for (std::size_t i = 1; i < pts.size(); ++i) {
        const double la1 = toRadians(pts[i - 1].first), la2 = toRadians(pts[i].first);
        const double dla = la2 - la1, dlo = toRadians(pts[i].second - pts[i - 1].second);
        const double h = std::sin(dla / 2) * std::sin(dla / 2) +
                         std::cos(la1) * std::cos(la2) * std::sin(dlo / 2) * std::sin(dlo / 2);
        total += 2 * kEarthRadius * std::asin(std::min(1.0, std::sqrt(h)));
    }
    return total;
}

// Area of the polygon on the sphere, in square metres (spherical excess over its edges).
double geoArea(std::vector<std::pair<double, double>> pts) {
    if (pts.size() > 1 && pts.front() == pts.back()) pts.pop_back();
    if (pts.size() < 3) return 0;
    double sum = 0;
    for (std::size_t i = 0; i < pts.size(); ++i) {
        const auto& p1 = pts[i];
        const auto& p2 = pts[(i + 1) % pts.size()];
        sum += toRadians(p2.second - p1.second) * (2 + std::sin(toRadians(p1.first)) + std::sin(toRadians(p2.first)));
    }
    return std::fabs(sum * kEarthRadius * kEarthRadius / 2);
}

// Days that "YYYY-MM-DD" can write: 0001-01-01 (-719162) to 9999-12-31 (2932896). Outside, a day number
// does not even fit the integer types the calendar arithmetic uses.
bool inIsoRange(double days) {
    return days >= -719162.0 && days < 2932897.0;
}

// XPath substring(): the characters at 1-based positions p with round(start) <= p < round(start) + round(length).
std::string xpathSubstring(const std::vector<std::string>& chars, double start, std::optional<double> length) {
    auto round = [](double x) { return std::floor(x + 0.5); };
    const double first = round(start);
    const double end = length ? first + round(*length) : std::numeric_limits<double>::infinity();
    std::string out;
    if (std::isnan(first) || std::isnan(end)) return out;
    for (std::size_t i = 0; i < chars.size(); ++i) {
        const double p = static_cast<double>(i + 1);
        if (p >= first && p < end) out += chars[i];
    }
    return out;
}

// checklist() and weighted-checklist(): a total within [min, max], a negative bound meaning none.
bool withinChecklist(double total, double min, double max) {
    return (min < 0 || total >= min) && (max < 0 || total <= max);
}

// format-date(): %Y %y %m %n %d %e %H %h %M %S %3 %a %b (ODK spec), on days since 1970-01-01; %a and %b
// in the form's language as Java's short names are (French, else English).
std::string formatDate(double days, const std::string& format, bool french) {
    if (!inIsoRange(days)) return "";
    const auto day = static_cast<long long>(std::floor(days));
    const std::string iso = formatIsoDate(day);
    const int y = std::stoi(iso.substr(0, iso.size() - 6));
    const int m = std::stoi(iso.substr(iso.size() - 5, 2));
    const int d = std::stoi(iso.substr(iso.size() - 2, 2));
    const double frac = days - static_cast<double>(day);
    const auto ms = static_cast<long long>(std::llround(frac * 86400000.0));
    const long long h = ms / 3600000, mi = (ms / 60000) % 60, sec = (ms / 1000) % 60, milli = ms % 1000;
    static const std::array<const char*, 7> kDays{"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
    static const std::array<const char*, 12> kMonths{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    static const std::array<const char*, 7> kJours{"jeu.", "ven.", "sam.", "dim.", "lun.", "mar.", "mer."};
    static const std::array<const char*, 12> kMois{"janv.", "févr.", "mars",  "avr.", "mai",  "juin",
                                                   "juil.", "août",  "sept.", "oct.", "nov.", "déc."};
    auto two = [](long long v) {
        char buf[24]; // room for any long long: gcc -O2 warns (-Wformat-truncation) otherwise
        std::snprintf(buf, sizeof buf, "%02lld", v);
        return std::string(buf);
    };
    std::string out;
    for (std::size_t i = 0; i < format.size(); ++i) {
        if (format[i] != '%' || i + 1 == format.size()) {
            out += format[i];
            continue;
        }
        switch (format[++i]) {
        case 'Y':
            out += std::to_string(y);
            break;
        case 'y':
            out += two(y % 100);
            break;
        case 'm':
            out += two(m);
            break;
        case 'n':
            out += std::to_string(m);
            break;
        case 'b':
            out += (french ? kMois : kMonths)[static_cast<std::size_t>(m - 1)];
            break;
        case 'd':
            out += two(d);
            break;
        case 'e':
            out += std::to_string(d);
            break;
        case 'a':
            out += (french ? kJours : kDays)[static_cast<std::size_t>(((day % 7) + 7) % 7)];
            break;
        case 'H':
            out += two(h);
            break;
        case 'h':
            out += std::to_string(h);
            break;
        case 'M':
            out += two(mi);
            break;
        case 'S':
            out += two(sec);
            break;
        case '3': {
            char buf[8];
            std::snprintf(buf, sizeof buf, "%03lld", milli);
            out += buf;
            break;
        }
        default:
            out += '%';
            out += format[i];
            break;
        }
    }
    return out;
}

// What a predicate of instance('id')/root/item[...] sees: the item's children as bare names, its
// position among the items being filtered, and everything else as the expression around it sees it.
class ItemContext final : public EvalContext {
public:
    ItemContext(const EvalContext& outer, const InstanceItems& items, std::size_t row, int position, int size)
        : m_outer(outer)
        , m_items(items)
        , m_row(row)
        , m_position(position)
        , m_size(size) {}
    Value ref(int target) const override { return m_outer.ref(target); }
    Value self() const override { return m_outer.self(); }
    int position() const override { return m_position; }
    int last() const override { return m_size; }
    Value choiceColumn(std::string_view name) const override { return m_items.column(m_row, name); }
    double nowDays() const override { return m_outer.nowDays(); }
    Value pulldata(std::string_view file, std::string_view column, std::string_view keyColumn,
                   std::string_view key) const override {
        return m_outer.pulldata(file, column, keyColumn, key);
    }
    Value choiceName(int target, std::string_view value) const override { return m_outer.choiceName(target, value); }
    Value indexedRef(int target, const std::vector<std::pair<int, int>>& indexes) const override {
        return m_outer.indexedRef(target, indexes);
    }
    double random() const override { return m_outer.random(); }
    Value property(std::string_view name) const override { return m_outer.property(name); }
    Value itext(std::string_view id) const override { return m_outer.itext(id); }
    std::string language() const override { return m_outer.language(); }
    std::unique_ptr<InstanceItems> instance(std::string_view id, int list) const override {
        return m_outer.instance(id, list);
    }
    void evaluationError(std::string_view key, std::string_view arg) const override {
        m_outer.evaluationError(key, arg);
    }

private:
    const EvalContext& m_outer;
    const InstanceItems& m_items;
    std::size_t m_row;
    int m_position, m_size;
};

// Spec #fn:instance: the items of instance `e.name` that every predicate keeps (a number keeps the item
// at that position, anything else keeps the items for which it is true), then their column
// `e.literal` (an item's value is its `name` when the path stops at the item).
Value instancePath(const Expr& e, const EvalContext& ctx) {
    const auto items = ctx.instance(e.name, e.target);
    if (!items) return Value::list({});
    std::vector<std::size_t> rows(items->size());
    for (std::size_t i = 0; i < rows.size(); ++i)
        rows[i] = i;
    for (const auto& pred : e.args) {
        std::vector<std::size_t> kept;
        const auto size = static_cast<int>(std::min<std::size_t>(rows.size(), std::numeric_limits<int>::max()));
        for (std::size_t k = 0; k < rows.size(); ++k) {
            const int position = static_cast<int>(std::min<std::size_t>(k + 1, std::numeric_limits<int>::max()));
            const ItemContext itemCtx(ctx, *items, rows[k], position, size);
            const Value v = evaluate(*pred, itemCtx);
            if (v.kind() == Value::Kind::Number ? v.toNumber() == position : v.toBool()) kept.push_back(rows[k]);
        }
        rows = std::move(kept);
    }
    const std::string column = e.literal.toString();
    std::vector<Value> out;
    out.reserve(rows.size());
    for (std::size_t row : rows)
        out.push_back(items->column(row, column.empty() ? "name" : column));
    return Value::list(std::move(out));
}

Value call(const Expr& e, const EvalContext& ctx) {
    auto arg = [&](std::size_t i) { return evaluate(*e.args[i], ctx); };
    switch (e.func) {
    case Func::If:
        return arg(0).toBool() ? arg(1) : arg(2);
    case Func::Not:
        return Value::boolean(!arg(0).toBool());
    case Func::True:
        return Value::boolean(true);
    case Func::False:
        return Value::boolean(false);
    case Func::Boolean:
        return Value::boolean(arg(0).toBool());
    case Func::Number: {
        // Spec #fn:number: XPath 1.0, and a date or dateTime text is its number of days since 1970-01-01.
        const Value v = arg(0);
        if (v.kind() == Value::Kind::String || v.kind() == Value::Kind::List) {
            const std::string text(trim(v.toString()));
            double days = 0;
            if (parseIsoDate(text, days) || parseIsoDateTime(text, days)) return Value::number(days);
        }
        return Value::number(v.toNumber());
    }
    case Func::String:
        return Value::string(arg(0).toString());
    case Func::Selected: {
        const auto values = splitWhitespace(arg(0).toString());
        const std::string wanted(trim(arg(1).toString()));
        return Value::boolean(std::find(values.begin(), values.end(), wanted) != values.end());
    }
    case Func::CountSelected:
        return Value::number(static_cast<double>(splitWhitespace(arg(0).toString()).size()));
    case Func::Concat: {
        std::string out;
        for (const Value& v : flatten(e, ctx))
            out += v.toString();
        return Value::string(std::move(out));
    }
    case Func::StringLength: {
        const Value v = e.args.empty() ? ctx.self() : arg(0);
        return Value::number(static_cast<double>(utf8Length(v.toString())));
    }
    case Func::Regex: {
        // ODK: true when the pattern matches somewhere in the text (anchor it with ^ and $).
        const std::string s = arg(0).toString();
        if (e.regex) return Value::boolean(e.regex->search(s));
        const std::string pattern = arg(1).toString();
        if (pattern.size() > kMaxRegexPattern) return Value::boolean(false);
        std::string error;
        const auto re = Regex::compile(pattern, error);
        if (!re) ctx.evaluationError("load.bad_regex", error);
        return Value::boolean(re && re->search(s));
    }
    case Func::Today: {
        const double days = std::floor(ctx.nowDays());
        return Value::date(days, formatIsoDate(static_cast<long long>(days)));
    }
    case Func::Now: {
        const double now = ctx.nowDays();
        const double day = std::floor(now);
        auto secs = static_cast<long long>(std::llround((now - day) * 86400.0));
        if (secs >= 86400) secs = 86399;
        char buf[64];
        std::snprintf(buf, sizeof buf, "T%02lld:%02lld:%02lld", secs / 3600, (secs / 60) % 60, secs % 60);
        return Value::date(now, formatIsoDate(static_cast<long long>(day)) + buf);
    }
    case Func::Int: {
        const double d = arg(0).toNumber();
        return Value::number(std::isfinite(d) ? std::trunc(d) : d);
    }
    case Func::Round: {
        const double d = arg(0).toNumber();
        if (!std::isfinite(d)) return Value::number(d);
        double digits = 0;
        if (e.args.size() == 2) {
            digits = arg(1).toNumber();
            if (!std::isfinite(digits)) return Value::number(kNaN);
            digits = std::clamp(std::trunc(digits), -15.0, 15.0);
        }
        const double scale = std::pow(10.0, digits);
        // Scale the decimal text rather than the binary value, so that a half as written rounds up:
        // 1.005 is stored as 1.00499999..., yet round(1.005, 2) is 1.01.
        const std::string text = formatNumber(d);
        const double scaled =
            text.find('e') == std::string::npos
                ? std::strtod((text + "e" + std::to_string(static_cast<int>(digits))).c_str(), nullptr)
                : d * scale;
        return Value::number(std::floor(scaled + 0.5) / scale);
    }
    case Func::Coalesce:
        for (std::size_t i = 0; i < e.args.size(); ++i) {
            Value v = arg(i);
            if (!v.isEmpty()) return v;
        }
        return Value::string("");
    case Func::Sum: {
        // Unlike strict XPath, unanswered values are skipped rather than turning the sum into NaN.
        double total = 0;
        for (const Value& v : arg(0).items()) {
            if (v.isEmpty()) continue;
            total += v.toNumber();
        }
        return Value::number(total);
    }
    case Func::Count: {
        const Value v = arg(0);
        return Value::number(v.kind() == Value::Kind::List ? static_cast<double>(v.listItems().size()) : 1.0);
    }
    case Func::Position:
        return Value::number(ctx.position());
    case Func::Contains:
        return Value::boolean(arg(0).toString().find(arg(1).toString()) != std::string::npos);
    case Func::StartsWith:
        return Value::boolean(arg(0).toString().rfind(arg(1).toString(), 0) == 0);
    case Func::EndsWith: {
        const std::string s = arg(0).toString(), t = arg(1).toString();
        return Value::boolean(s.size() >= t.size() && s.compare(s.size() - t.size(), t.size(), t) == 0);
    }
    case Func::Substr: {
        const auto chars = utf8Chars(arg(0).toString());
        const double n = static_cast<double>(chars.size());
        double start = arg(1).toNumber();
        double end = e.args.size() == 3 ? arg(2).toNumber() : n;
        if (std::isnan(start) || std::isnan(end)) return Value::string("");
        start = std::clamp(std::trunc(start), 0.0, n);
        end = std::clamp(std::trunc(end), start, n);
        std::string out;
        for (auto i = static_cast<std::size_t>(start); i < static_cast<std::size_t>(end); ++i)
            out += chars[i];
        return Value::string(std::move(out));
    }
    case Func::Min:
        return minMax(e, ctx, false);
    case Func::Max:
        return minMax(e, ctx, true);
    case Func::Abs:
        return Value::number(std::fabs(arg(0).toNumber()));
    case Func::Pow:
        return Value::number(std::pow(arg(0).toNumber(), arg(1).toNumber()));
    case Func::Sqrt:
        return Value::number(std::sqrt(arg(0).toNumber()));
    case Func::Exp:
        return Value::number(std::exp(arg(0).toNumber()));
    case Func::Exp10:
        return Value::number(std::pow(10.0, arg(0).toNumber()));
    case Func::Log:
        return Value::number(std::log(arg(0).toNumber()));
    case Func::Log10:
        return Value::number(std::log10(arg(0).toNumber()));
    case Func::Sin:
        return Value::number(std::sin(arg(0).toNumber()));
    case Func::Cos:
        return Value::number(std::cos(arg(0).toNumber()));
    case Func::Tan:
        return Value::number(std::tan(arg(0).toNumber()));
    case Func::Asin:
        return Value::number(std::asin(arg(0).toNumber()));
    case Func::Acos:
        return Value::number(std::acos(arg(0).toNumber()));
    case Func::Atan:
        return Value::number(std::atan(arg(0).toNumber()));
    case Func::Atan2:
        return Value::number(std::atan2(arg(0).toNumber(), arg(1).toNumber()));
    case Func::Pi:
        return Value::number(kPi);
    case Func::Floor:
        return Value::number(std::floor(arg(0).toNumber()));
    case Func::Ceiling:
        return Value::number(std::ceil(arg(0).toNumber()));
    case Func::Translate: {
        const auto from = utf8Chars(arg(1).toString());
        const auto to = utf8Chars(arg(2).toString());
        std::string out;
        for (const auto& c : utf8Chars(arg(0).toString())) {
            const auto it = std::find(from.begin(), from.end(), c);
            if (it == from.end()) {
                out += c;
                continue;
            }
            const auto k = static_cast<std::size_t>(it - from.begin());
            if (k < to.size()) out += to[k]; // characters without a counterpart are removed
        }
        return Value::string(std::move(out));
    }
    case Func::NormalizeSpace: {
        const Value v = e.args.empty() ? ctx.self() : arg(0);
        std::string out;
        for (const auto& w : splitWhitespace(v.toString()))
            out += (out.empty() ? "" : " ") + w;
        return Value::string(std::move(out));
    }
    case Func::SubstringBefore:
    case Func::SubstringAfter: {
        const std::string s = arg(0).toString();
        const std::string t = arg(1).toString();
        const auto pos = s.find(t);
        if (pos == std::string::npos) return Value::string("");
        return Value::string(e.func == Func::SubstringBefore ? s.substr(0, pos) : s.substr(pos + t.size()));
    }
    case Func::BooleanFromString: {
        // #fn:boolean-from-string: 'true' in any case (JavaRosa's equalsIgnoreCase) or '1'.
        std::string s = arg(0).toString();
        for (char& c : s)
            if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        return Value::boolean(s == "true" || s == "1");
    }
    case Func::Once: {
        // The question keeps the first non-empty value it got.
        const Value self = ctx.self();
        return self.isEmpty() ? arg(0) : self;
    }
    case Func::Date: {
        const Value v = arg(0);
        const double days = v.kind() == Value::Kind::Number ? v.toNumber() : dateDays(v);
        if (!inIsoRange(days)) return Value::string("");
        const double day = std::floor(days);
        return Value::date(day, formatIsoDate(static_cast<long long>(day)));
    }
    case Func::DecimalDateTime: {
        const Value v = arg(0);
        return Value::number(v.isEmpty() ? kNaN : dateDays(v));
    }
    case Func::FormatDate: {
        const Value v = arg(0);
        if (v.isEmpty()) return Value::string("");
        const std::string lang = ctx.language();
        const bool french = lang == "fr" || lang.rfind("fr-", 0) == 0 || lang.rfind("fr_", 0) == 0;
        return Value::string(formatDate(dateDays(v), arg(1).toString(), french));
    }
    case Func::SelectedAt: {
        const auto words = splitWhitespace(arg(0).toString());
        const double n = arg(1).toNumber();
        if (!std::isfinite(n) || n < 0 || n >= static_cast<double>(words.size())) return Value::string("");
        return Value::string(words[static_cast<std::size_t>(n)]);
    }
    case Func::Join: {
        const std::string sep = arg(0).toString();
        std::string out;
        bool first = true;
        for (std::size_t i = 1; i < e.args.size(); ++i)
            for (const Value& v : evaluate(*e.args[i], ctx).items()) {
                out += (first ? "" : sep) + v.toString();
                first = false;
            }
        return Value::string(std::move(out));
    }
    case Func::CountNonEmpty: {
        double n = 0;
        for (const Value& v : arg(0).items())
            if (!v.isEmpty()) ++n;
        return Value::number(n);
    }
    case Func::Uuid:
        // Spec "uuid(number length?)": a version 4 UUID, or `length` random characters.
        return Value::string(e.args.empty() ? odk::uuidV4() : odk::randomId(arg(0).toNumber()));
    case Func::Distance:
    case Func::Area: {
        // Spec #fn:distance and #fn:area: a geotrace or geoshape, or the geopoints of a repeated field
        // (every instance, in order), or for distance() several geopoints as arguments.
        std::string points;
        for (const Value& v : flatten(e, ctx)) {
            const std::string text = v.toString();
            if (text.empty()) continue;
            points += (points.empty() ? "" : ";") + text;
        }
        const auto parsed = geoPoints(points);
        return Value::number(e.func == Func::Distance ? geoDistance(parsed) : geoArea(parsed));
    }
    case Func::Property:
        return ctx.property(trim(arg(0).toString()));
    case Func::Pulldata:
        return ctx.pulldata(arg(0).toString(), arg(1).toString(), arg(2).toString(), arg(3).toString());
    case Func::ChoiceName:
        return ctx.choiceName(e.target, trim(arg(0).toString()));
    case Func::IndexedRepeat: {
        std::vector<std::pair<int, int>> indexes;
        for (std::size_t k = 1; k + 1 < e.args.size(); k += 2) {
            const double n = evaluate(*e.args[k + 1], ctx).toNumber();
            if (!(n >= 1 && n <= static_cast<double>(std::numeric_limits<int>::max()))) return Value::string("");
            indexes.emplace_back(e.args[k]->target, static_cast<int>(n));
        }
        return ctx.indexedRef(e.args[0]->target, indexes);
    }
    case Func::DecimalTime: {
        const Value v = arg(0);
        if (v.kind() == Value::Kind::Date) {
            const double d = v.toNumber();
            return Value::number(d - std::floor(d));
        }
        const std::string s = v.toString();
        double days = 0;
        if (parseIsoDateTime(s, days)) return Value::number(days - std::floor(days));
        const auto t = odk::decimalTime(s, odk::localUtcOffsetDays());
        return Value::number(t ? *t : kNaN);
    }
    case Func::Digest: {
        const std::string algorithm = arg(1).toString();
        const std::string encoding = e.args.size() == 3 ? arg(2).toString() : "base64";
        if (algorithm.empty() || encoding.empty()) return Value::string(""); // not chosen yet
        auto out = odk::digest(arg(0).toString(), algorithm, encoding);
        if (!out) {
            ctx.evaluationError("expr.bad_digest", odk::knownDigest(algorithm) ? encoding : algorithm);
            return Value::string("");
        }
        return Value::string(std::move(*out));
    }
    case Func::Base64Decode: {
        auto out = odk::base64Decode(arg(0).toString());
        return Value::string(out ? std::move(*out) : std::string());
    }
    case Func::Random:
        return Value::number(ctx.random());
    case Func::Randomize: {
        std::vector<Value> items = arg(0).items();
        std::vector<std::size_t> order;
        if (e.args.size() == 2) {
            // JavaRosa takes the seed's number as a long: '' and NaN are 0.
            const double seed = arg(1).toNumber();
            const double whole = std::isfinite(seed) ? std::clamp(std::trunc(seed), -9.0e18, 9.0e18) : 0.0;
            order = odk::seededPermutation(items.size(), static_cast<std::int64_t>(whole));
        } else {
            order = odk::randomPermutation(items.size());
        }
        std::vector<Value> out;
        out.reserve(items.size());
        for (std::size_t i : order)
            out.push_back(items[i]);
        return Value::list(std::move(out));
    }
    case Func::Checklist: {
        double count = 0;
        for (std::size_t k = 2; k < e.args.size(); ++k)
            for (const Value& v : evaluate(*e.args[k], ctx).items())
                if (v.toBool()) ++count;
        return Value::boolean(withinChecklist(count, arg(0).toNumber(), arg(1).toNumber()));
    }
    case Func::WeightedChecklist: {
        double total = 0;
        for (std::size_t k = 2; k + 1 < e.args.size(); k += 2) {
            const std::vector<Value> values = evaluate(*e.args[k], ctx).items();
            const std::vector<Value> weights = evaluate(*e.args[k + 1], ctx).items();
            for (std::size_t i = 0; i < values.size() && i < weights.size(); ++i)
                if (values[i].toBool()) total += weights[i].toNumber();
        }
        return Value::boolean(withinChecklist(total, arg(0).toNumber(), arg(1).toNumber()));
    }
    case Func::Instance:
        return instancePath(e, ctx);
    case Func::Last:
        return Value::number(ctx.last());
    case Func::Itext:
        return ctx.itext(arg(0).toString());
    case Func::ExtractSigned: {
        auto out = odk::extractSigned(arg(0).toString(), arg(1).toString());
        return Value::string(out ? std::move(*out) : std::string());
    }
    case Func::Substring: {
        std::optional<double> length;
        if (e.args.size() == 3) length = arg(2).toNumber();
        return Value::string(xpathSubstring(utf8Chars(arg(0).toString()), arg(1).toNumber(), length));
    }
    }
    return Value::string("");
}

double arithmetic(Op op, double x, double y) {
    switch (op) {
    case Op::Add:
        return x + y;
    case Op::Sub:
        return x - y;
    case Op::Mul:
        return x * y;
    case Op::Div:
        return x / y;
    case Op::Mod:
        return std::fmod(x, y);
    default:
        return kNaN;
    }
}

} // namespace

std::optional<Expression> parseExpression(std::string_view text, const ParseOptions& options, ExprError& error) {
    error = ExprError{};
    std::vector<Token> toks;
    Lexer lexer(text, error);
    if (!lexer.run(toks)) return std::nullopt;
    Parser parser(std::move(toks), options, error);
    auto root = parser.parse();
    if (!root) {
        if (error.key.empty()) error = ExprError{"expr.unexpected_end", "", "", static_cast<int>(text.size()) + 1};
        return std::nullopt;
    }
    return Expression{std::string(text), std::move(root)};
}

double EvalContext::random() const {
    return odk::randomUnit();
}

bool valuesEqual(const Value& a, const Value& b) {
    return compare(Op::Eq, a, b);
}

struct Regex::Impl {
    explicit Impl(re2bridge::Compiled* compiled)
        : re(compiled) {}
    ~Impl() { re2bridge::destroy(re); }
    Impl(const Impl&) = delete;
    Impl& operator=(const Impl&) = delete;
    re2bridge::Compiled* re;
};

Regex::Regex(std::unique_ptr<Impl> impl)
    : m_impl(std::move(impl)) {}
Regex::~Regex() = default;

std::shared_ptr<const Regex> Regex::compile(std::string_view pattern, std::string& error) {
    char message[512] = {};
    re2bridge::Compiled* compiled = re2bridge::compile(pattern.data(), pattern.size(), message, sizeof message);
    if (!compiled) {
        error = message;
        return nullptr;
    }
    return std::shared_ptr<const Regex>(new Regex(std::make_unique<Impl>(compiled)));
}

bool Regex::fullMatch(std::string_view text) const {
    return re2bridge::fullMatch(m_impl->re, text.data(), text.size());
}

bool Regex::search(std::string_view text) const {
    return re2bridge::partialMatch(m_impl->re, text.data(), text.size());
}

Value evaluate(const Expr& e, const EvalContext& ctx) {
    switch (e.kind) {
    case Expr::Kind::Literal:
        return e.literal;
    case Expr::Kind::Ref:
        return ctx.ref(e.target);
    case Expr::Kind::Self:
        return ctx.self();
    case Expr::Kind::Parent:
        return Value::string("");
    case Expr::Kind::ChoiceColumn:
        return ctx.choiceColumn(e.name);
    case Expr::Kind::Unary:
        return Value::number(-evaluate(*e.args[0], ctx).toNumber());
    case Expr::Kind::Call:
        return call(e, ctx);
    case Expr::Kind::Binary:
        break;
    }
    switch (e.op) {
    case Op::Or:
        return Value::boolean(evaluate(*e.args[0], ctx).toBool() || evaluate(*e.args[1], ctx).toBool());
    case Op::And:
        return Value::boolean(evaluate(*e.args[0], ctx).toBool() && evaluate(*e.args[1], ctx).toBool());
    case Op::Eq:
    case Op::Ne:
    case Op::Lt:
    case Op::Le:
    case Op::Gt:
    case Op::Ge:
        return Value::boolean(compare(e.op, evaluate(*e.args[0], ctx), evaluate(*e.args[1], ctx)));
    default:
        break;
    }
    const Value a = evaluate(*e.args[0], ctx);
    const Value b = evaluate(*e.args[1], ctx);
    // Date arithmetic counts in days: today() - ${birth} is a number of days.
    const bool dates = a.kind() == Value::Kind::Date || b.kind() == Value::Kind::Date;
    const double x = dates ? dateDays(a) : a.toNumber();
    const double y = dates ? dateDays(b) : b.toNumber();
    return Value::number(arithmetic(e.op, x, y));
}

} // namespace carnet::forms
