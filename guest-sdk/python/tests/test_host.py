import unittest

import _paths  # noqa: F401

from liveplug import KeyValueError, flash, keyvalue, log, navigation, page
from liveplug import host as capabilities
from liveplug.testing import host, reset_host


class NativeHostTest(unittest.TestCase):
    def setUp(self):
        reset_host()

    def test_no_bindings_outside_a_component(self):
        self.assertFalse(capabilities.in_component())

    def test_page_title_and_events(self):
        page.set_title("Hello")
        page.push_event("highlight", {"id": 3})
        page.push_event("ping", before_patch=True)
        self.assertEqual(host().title, "Hello")
        self.assertEqual(host().events, [("highlight", {"id": 3}, False), ("ping", {}, True)])

    def test_the_last_navigation_wins(self):
        navigation.push_patch("/items?page=2")
        self.assertEqual(host().navigation, ("patch", "/items?page=2", False))
        navigation.push_navigate("/other", replace=True)
        self.assertEqual(host().navigation, ("navigate", "/other", True))
        navigation.redirect("/login")
        self.assertEqual(host().navigation, ("redirect", "/login", False))
        navigation.redirect_external("https://example.org/")
        self.assertEqual(host().navigation, ("external", "https://example.org/", False))

    def test_flash(self):
        reset_host(flash={"info": "seeded"})
        self.assertEqual(flash.get("info"), "seeded")
        flash.put("error", "bad")
        self.assertEqual(flash.all(), [("error", "bad"), ("info", "seeded")])
        flash.clear("info")
        self.assertIsNone(flash.get("info"))
        flash.clear_all()
        self.assertEqual(flash.all(), [])

    def test_keyvalue(self):
        keyvalue.set("a/1", "x")
        keyvalue.set("a/2", "y")
        keyvalue.set("b", "z")
        self.assertEqual(keyvalue.get("a/1"), "x")
        self.assertEqual(keyvalue.keys("a/"), ["a/1", "a/2"])
        self.assertEqual(keyvalue.keys(), ["a/1", "a/2", "b"])
        self.assertTrue(keyvalue.delete("b"))
        self.assertFalse(keyvalue.delete("b"))
        self.assertIsNone(keyvalue.get("b"))
        reset_host(kv_limit=4)
        with self.assertRaises(KeyValueError):
            keyvalue.set("key", "value")

    def test_log_levels(self):
        log.info("one")
        log.warn("two")
        log.log("trace", "three")
        self.assertEqual(host().logs, [("info", "one"), ("warn", "two"), ("trace", "three")])
        with self.assertRaisesRegex(ValueError, "log level 'loud'"):
            log.log("loud", "x")


if __name__ == "__main__":
    unittest.main()
