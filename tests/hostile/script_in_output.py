# HTML in output is text: the page must never interpret it.
# expect: completed
print("<script>alert(1)</script>")
print("<img src=x onerror=alert(2)>")
