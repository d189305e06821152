// Failsafe ran EchoApplicationIT against the packaged application: one test, passed.
File report = new File(basedir, 'target/failsafe-reports/TEST-com.example.echo.EchoApplicationIT.xml')
assert report.isFile() : "no Failsafe report at ${report}"
def suite = new groovy.xml.XmlSlurper().parse(report)
assert suite.@tests.toInteger() == 1 && suite.@failures.toInteger() == 0 && suite.@errors.toInteger() == 0 && suite.@skipped.toInteger() == 0 : "EchoApplicationIT: ${suite.@tests} tests, ${suite.@failures} failures, ${suite.@errors} errors, ${suite.@skipped} skipped"
String log = new File(basedir, 'build.log').text
def ranOn = log.readLines().find { it.startsWith('consumer application ran on Java ') }
assert ranOn : 'the application did not report the Java it ran on'
println ranOn
return true
