import unittest

import _paths  # noqa: F401

from liveplug import Template, TemplateError, attrs, component, each, raw
from liveplug import _parts as p
from liveplug.template import CONTENT, TAG, VALUE, Builder, statics_of
from liveplug.testing import render_html


def build(value, sent=None):
    return Builder(p, set() if sent is None else sent).finish(value)


class SplitTest(unittest.TestCase):
    def test_statics_and_names_split_once_at_definition(self):
        t = Template('<p class="x {cls}">Hi {name}!</p>')
        self.assertEqual(t.statics, ('<p class="x ', '">Hi ', "!</p>"))
        self.assertEqual(t.names, ("cls", "name"))
        self.assertEqual(t.contexts, (VALUE, CONTENT))
        self.assertEqual(statics_of(t.id), t.statics)

    def test_same_statics_share_an_id_and_different_ones_do_not(self):
        a = Template("<b>{x}</b>")
        b = Template("<b>{y}</b>")  # same statics, other slot name
        c = Template("<i>{x}</i>")
        self.assertEqual(a.id, b.id)
        self.assertNotEqual(a.id, c.id)

    def test_double_braces_are_literal(self):
        t = Template('<button phx-click=\'[["push",{{"event":"inc"}}]]\'>{label}</button>')
        self.assertEqual(t.statics[0], '<button phx-click=\'[["push",{"event":"inc"}]]\'>')
        self.assertEqual(t.contexts, (CONTENT,))

    def test_slot_inside_a_tag_is_for_attributes(self):
        t = Template('<input type="text"{a}><br{b}/><x-y {c} id="q">')
        self.assertEqual(t.contexts, (TAG, TAG, TAG))

    def test_slots_in_comments_are_content(self):
        self.assertEqual(Template("<!-- {a} --><p>{b}</p>").contexts, (CONTENT, CONTENT))

    def test_malformed_templates_are_refused_with_the_reason(self):
        cases = {
            "<p class={x}>": "unquoted attribute value",
            "<p class=a{x}>": "unquoted attribute value",
            "<{tag}>": "inside a tag name",
            '<p class="{x}': "ends inside a tag",
            "<p {x}": "ends inside a tag",
            "<p>{x.y}</p>": "is not a name",
            "<p>{x:>4}</p>": "format spec",
            "<p>{x!r}</p>": "format spec or conversion",
            "<p>}</p>": "Single '}'",
            "<p>{}</p>": "is not a name",
        }
        for markup, reason in cases.items():
            with self.subTest(markup=markup):
                with self.assertRaises(TemplateError) as caught:
                    Template(markup)
                self.assertIn(reason, str(caught.exception))

    def test_calls_need_exactly_the_slot_names(self):
        t = Template("<p>{a}{b}{a}</p>")
        self.assertEqual(t(a=1, b=2).values, (1, 2, 1))
        with self.assertRaisesRegex(TypeError, "missing b"):
            t(a=1)
        with self.assertRaisesRegex(TypeError, "unknown c"):
            t(a=1, b=2, c=3)


class BuildTest(unittest.TestCase):
    def test_text_is_a_text_node_never_escaped_by_the_guest(self):
        t = Template("<p>{x}</p>")
        parts = build(t(x="<b>&"))
        self.assertEqual(parts.nodes[0], p.Node_Text("<b>&"))
        self.assertEqual(parts.nodes[parts.root], p.Node_Tree(p.TreeNode(t.id, [0])))
        self.assertEqual(parts.new_templates, [p.Template(t.id, ["<p>", "</p>"])])
        # The host escapes: the harness writes what it would.
        self.assertEqual(render_html(t(x="<b>&'\"")), "<p>&lt;b&gt;&amp;&#39;&quot;</p>")

    def test_raw_is_sent_as_is(self):
        t = Template("<div>{x}</div>")
        parts = build(t(x=raw("<em>hi</em>")))
        self.assertEqual(parts.nodes[0], p.Node_Raw("<em>hi</em>"))
        self.assertEqual(render_html(t(x=raw("<em>hi</em>"))), "<div><em>hi</em></div>")

    def test_numbers_are_text_and_none_and_booleans_render_nothing(self):
        t = Template("<p>{a}|{b}|{c}|{d}|{e}</p>")
        self.assertEqual(render_html(t(a=3, b=2.5, c=None, d=False, e=True)), "<p>3|2.5|||</p>")

    def test_attribute_values_take_text_numbers_and_booleans(self):
        t = Template('<p class="{a}" data-n="{b}" aria-x="{c}" title="{d}"></p>')
        self.assertEqual(render_html(t(a="x y", b=7, c=True, d=None)), '<p class="x y" data-n="7" aria-x="true" title=""></p>')
        with self.assertRaisesRegex(TemplateError, "attribute value is text"):
            build(t(a=[1], b=1, c=1, d=1))

    def test_attributes_node_true_is_bare_false_and_none_are_absent(self):
        t = Template("<input{a}>")
        parts = build(t(a={"checked": True, "disabled": False, "title": None, "value": "v", "maxlength": 3}))
        self.assertEqual(
            parts.nodes[0],
            p.Node_Attributes([p.Attribute("checked", None), p.Attribute("value", "v"), p.Attribute("maxlength", "3")]),
        )
        self.assertEqual(render_html(t(a={"checked": True, "x": '"<'})), '<input checked x="&quot;&lt;">')
        self.assertEqual(render_html(t(a=None)), "<input>")
        self.assertEqual(render_html(t(a=attrs(aria_invalid="true", class_="c"))), '<input aria-invalid="true" class="c">')

    def test_attribute_slots_refuse_other_values_and_bad_names(self):
        t = Template("<input{a}>")
        with self.assertRaisesRegex(TemplateError, "takes attributes"):
            build(t(a="checked"))
        for name in ["", "a b", 'a"', "a=b", "a/b", "a>", "\x01"]:
            with self.subTest(name=name):
                with self.assertRaisesRegex(TemplateError, "invalid attribute name"):
                    build(t(a={name: True}))
        with self.assertRaisesRegex(TemplateError, "inside a tag"):
            build(Template("<p>{a}</p>")(a={"x": 1}))

    def test_nested_templates_are_trees(self):
        inner = Template("<b>{x}</b>")
        outer = Template("<p>{a}{b}</p>")
        parts = build(outer(a=inner(x="1"), b=inner(x="2")))
        root = parts.nodes[parts.root]
        self.assertIsInstance(root, p.Node_Tree)
        kids = [parts.nodes[i] for i in root.value.slots]
        self.assertEqual([k.value.template for k in kids], [inner.id, inner.id])
        # The inner template's statics are sent once although used twice.
        self.assertEqual(sorted(t.id for t in parts.new_templates), sorted([inner.id, outer.id]))
        self.assertEqual(render_html(outer(a=inner(x="1"), b=inner(x="2"))), "<p><b>1</b><b>2</b></p>")

    def test_conditionals_are_python_expressions(self):
        err = Template('<p class="error">{m}</p>')
        page = Template("<div>{e}</div>")
        self.assertEqual(render_html(page(e="" and err(m=""))), "<div></div>")
        self.assertEqual(render_html(page(e="bad" and err(m="bad"))), '<div><p class="error">bad</p></div>')
        self.assertEqual(render_html(page(e=err(m="x") if False else None)), "<div></div>")

    def test_statics_cross_once_per_instance(self):
        t = Template("<p>{x}</p>")
        sent: set = set()
        first = build(t(x=1), sent)
        second = build(t(x=2), sent)
        self.assertEqual([x.id for x in first.new_templates], [t.id])
        self.assertEqual(second.new_templates, [])
        self.assertEqual(second.nodes[0], p.Node_Text("2"))

    def test_each_with_keys_is_a_keyed_node_of_one_template(self):
        row = Template("<li>{name}</li>")
        ul = Template("<ul>{rows}</ul>")
        items = [{"id": 3, "name": "c"}, {"id": 1, "name": "a"}]
        parts = build(ul(rows=each(items, lambda r: row(name=r["name"]), key=lambda r: r["id"])))
        keyed = parts.nodes[parts.nodes[parts.root].value.slots[0]]
        self.assertIsInstance(keyed, p.Node_Keyed)
        self.assertEqual(keyed.value.template, row.id)
        self.assertEqual([i.key for i in keyed.value.items], ["3", "1"])
        self.assertEqual([parts.nodes[i.slots[0]] for i in keyed.value.items], [p.Node_Text("c"), p.Node_Text("a")])
        self.assertEqual(render_html(ul(rows=each(items, lambda r: row(name=r["name"]), key=lambda r: r["id"]))), "<ul><li>c</li><li>a</li></ul>")

    def test_duplicate_keys_are_refused(self):
        row = Template("<li>{x}</li>")
        with self.assertRaisesRegex(TemplateError, "duplicate key '1'"):
            build(each([1, 1], lambda x: row(x=x), key=str))

    def test_lists_of_mixed_values_wrap_each_item(self):
        a = Template("<a>{x}</a>")
        b = Template("<b>{x}</b>")
        ul = Template("<ul>{rows}</ul>")
        parts = build(ul(rows=[a(x=1), b(x=2), "t"]))
        keyed = parts.nodes[parts.nodes[parts.root].value.slots[0]].value
        self.assertEqual(statics_of(keyed.template), ("", ""))
        self.assertEqual([i.key for i in keyed.items], [None, None, None])
        self.assertEqual(render_html(ul(rows=[a(x=1), b(x=2), "t"])), "<ul><a>1</a><b>2</b>t</ul>")
        self.assertEqual(render_html(ul(rows=[])), "<ul></ul>")

    def test_every_node_is_reachable_once_and_indices_are_in_range(self):
        row = Template("<li id=\"r-{id}\"{a}>{name}</li>")
        page = Template("<main>{h}<ul>{rows}</ul>{n}</main>")
        value = page(h=Template("<h1>{t}</h1>")(t="T"), rows=each(range(3), lambda i: row(id=i, a={"x": True}, name=str(i)), key=str), n=3)
        parts = build(value)
        seen = []

        def walk(i):
            self.assertTrue(0 <= i < len(parts.nodes))
            seen.append(i)
            node = parts.nodes[i]
            if isinstance(node, p.Node_Tree):
                for s in node.value.slots:
                    walk(s)
            elif isinstance(node, p.Node_Keyed):
                for item in node.value.items:
                    for s in item.slots:
                        walk(s)

        walk(parts.root)
        self.assertEqual(sorted(seen), list(range(len(parts.nodes))))

    def test_components_render_into_their_own_roots(self):
        class Tag:
            def __init__(self, label):
                self.label = label

            def render(self, id):
                return Template('<b id="tag-{id}">{label}</b>')(id=id, label=self.label)

        page = Template("<p>{a}{b}</p>")
        parts = build(page(a=component(3, Tag("three")), b=component(10, Tag("ten"))))
        self.assertEqual([c.id for c in parts.components], [3, 10])
        comps = [n for n in parts.nodes if isinstance(n, p.Node_Component)]
        self.assertEqual([n.value for n in comps], [3, 10])
        self.assertEqual(render_html(page(a=component(3, Tag("three")), b=component(10, Tag("ten")))), '<p><b id="tag-3">three</b><b id="tag-10">ten</b></p>')
        with self.assertRaisesRegex(TemplateError, "placed twice"):
            build(page(a=component(3, Tag("x")), b=component(3, Tag("y"))))

    def test_unrenderable_values_name_their_type(self):
        with self.assertRaisesRegex(TemplateError, "cannot render a object"):
            build(Template("<p>{x}</p>")(x=object()))


class _Interpolation:
    """The shape of string.templatelib.Interpolation (CPython 3.14), for the 3.11 test run."""

    def __init__(self, value, conversion=None, format_spec=""):
        self.value, self.conversion, self.format_spec = value, conversion, format_spec


def _tstring(strings, *interpolations):
    cls = type("Template", (), {"__module__": "string.templatelib"})
    obj = cls()
    obj.strings, obj.interpolations = tuple(strings), tuple(interpolations)
    return obj


class TStringTest(unittest.TestCase):
    def test_tstrings_are_templates_interned_by_their_strings(self):
        first = _tstring(['<p class="', '">', "</p>"], _Interpolation("a"), _Interpolation(3))
        again = _tstring(['<p class="', '">', "</p>"], _Interpolation("b"), _Interpolation(4.5, format_spec=".2f"))
        sent: set = set()
        one = build(first, sent)
        two = build(again, sent)
        self.assertEqual(len(one.new_templates), 1)
        self.assertEqual(two.new_templates, [])
        self.assertEqual(one.nodes[one.root].value.template, two.nodes[two.root].value.template)
        self.assertEqual(render_html(again), '<p class="b">4.50</p>')

    def test_tstrings_check_their_markup(self):
        with self.assertRaisesRegex(TemplateError, "unquoted attribute value"):
            build(_tstring(["<p class=", "></p>"], _Interpolation("a")))


if __name__ == "__main__":
    unittest.main()
