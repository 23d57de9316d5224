import sys, time, statistics
from common import ThrowawayDatabase
import django; django.setup()
from documents.keys import create_root, write_root, root_cert_path
from documents.issuers import Issuer
from documents.signing import sign_pdf, SealBox, validate_signatures
from weasyprint import HTML
if not root_cert_path().exists(): write_root(*create_root())
pdf = HTML(string=open("/tmp/cert_fast.html").read()).write_pdf()
iss = Issuer("department", "health", "磐安县卫生健康局", "磐卫")
boxes=[SealBox(0,(300,100,420,220))]
out = sign_pdf(pdf, [iss], boxes, reason="x")
print(validate_signatures(out))
xs=[]
for _ in range(15):
    s=time.perf_counter(); sign_pdf(pdf, [iss], boxes, reason="x"); xs.append(time.perf_counter()-s)
print("sign median", statistics.median(xs))
